using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace Durable.Fluent.Tests.Cli;

/// <summary>
/// The durable tool as a user installs it: <c>dotnet pack</c> of Durable.Fluent.Cli into a folder, then
/// <c>dotnet tool install --tool-path ... --add-source &lt;folder&gt;</c>, then the installed <c>durable</c> command runs —
/// and loads a workflow from an assembly built elsewhere (the order example) with its own copy of Durable.Fluent.
/// </summary>
[Category("Packaging")]
[NonParallelizable]
public class ToolPackageTests
{
    [Test]
    public void The_packed_tool_installs_from_a_folder_and_runs()
    {
        var work = Directory.CreateTempSubdirectory("durable-tool-").FullName;
        try
        {
            var repo = RepoRoot();
            var version = XDocument.Load(Path.Combine(repo, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;
            var configuration = typeof(ToolPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            var feed = Path.Combine(work, "feed");
            Run(repo, "dotnet", "pack", Path.Combine(repo, "Durable.Fluent.Cli", "Durable.Fluent.Cli.csproj"), "-c", configuration, "-o", feed, "--nologo");
            Assert.That(File.Exists(Path.Combine(feed, $"Durable.Fluent.Cli.{version}.nupkg")), Is.True);

            var tools = Path.Combine(work, "tools");
            var install = Run(work, "dotnet", "tool", "install", "Durable.Fluent.Cli", "--version", version, "--tool-path", tools, "--add-source", feed);
            Assert.That(install, Does.Contain("durable"));

            var durable = Path.Combine(tools, OperatingSystem.IsWindows() ? "durable.exe" : "durable");
            var help = Run(work, durable, "--help");
            Assert.That(help, Does.Contain("serve").And.Contain("callback").And.Contain("replay"));

            var graph = Run(work, durable, "graph", "--assembly", CliHarness.OrderAssembly);
            Assert.That(graph, Does.StartWith("flowchart TD").And.Contain("Step 'validate_order'"));
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Durable.Fluent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Durable.Fluent.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Run(string workingDirectory, string file, params string[] args)
    {
        if (file == "dotnet" && Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host)
        {
            file = host;
        }

        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        // The test host runs inside "dotnet test": its MSBuild variables would point a nested build at the wrong SDK state.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish:\n{output}");
        }

        process.WaitForExit();
        var text = output.ToString();
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', args)} failed:\n{text}");
        return text;
    }
}
