using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace Durable.Fluent.Tests.Packaging;

/// <summary>
/// Packs the packages (as <c>dotnet pack</c> does for a release) and checks what a user would get: the dependency
/// lists of the nuspecs (the function's package carries no SQLite, no HTTP server, no test code), readme, license, XML
/// docs and symbol packages — and that a fresh console project outside this repository installs them from a local
/// folder feed by version, builds, and runs a workflow through the test runner and the local durable service.
/// </summary>
/// <remarks>
/// A test rather than a separate build step, so that it runs under the README's test command and CI's
/// "tests: N passed, N failed" line counts it. It needs the .NET SDK and the NuGet registry (the packages' own
/// dependencies), both of which CI has.
/// </remarks>
[Category("Packaging")]
[NonParallelizable]
public class PackageTests
{
    private static readonly string[] Packages = ["Durable.Fluent", "Durable.Fluent.Testing", "Durable.Fluent.LocalService", "Durable.Fluent.S3"];

    private string _work = null!;
    private string _feed = null!;
    private string _version = null!;

    [OneTimeSetUp]
    public void PackAll()
    {
        _work = Directory.CreateTempSubdirectory("durable-pack-").FullName;
        _feed = Path.Combine(_work, "feed");
        _version = ReadVersion();
        foreach (var package in Packages)
        {
            // Incremental: after the solution build (build.ps1 / CI) the projects are up to date and only pack runs.
            Dotnet(RepoRoot, TimeSpan.FromMinutes(10), "pack", Path.Combine(RepoRoot, package, package + ".csproj"), "-c", Configuration, "-o", _feed, "--nologo");
        }
    }

    [OneTimeTearDown]
    public void Clean()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    [Test]
    public void The_function_package_depends_only_on_what_a_function_needs()
    {
        var nuspec = Nuspec("Durable.Fluent");
        foreach (var tfm in new[] { "net8.0", "net10.0" })
        {
            Assert.That(Dependencies(nuspec, tfm), Is.EquivalentTo(new[]
            {
                "AWSSDK.Core", "Microsoft.Extensions.DependencyInjection.Abstractions", "Microsoft.Extensions.Logging.Abstractions", "Polly.Core",
            }), tfm);
        }

        Assert.That(FrameworkReferences(nuspec), Is.Empty, "no ASP.NET Core (or any other shared framework) in a function");
        Assert.That(AllDependencyIds(nuspec), Has.None.Contains("Sqlite").And.None.Contains("AspNetCore").And.None.Contains("NUnit").And.None.Contains("Testing"));
    }

    [Test]
    public void The_testing_package_has_no_aspnet_core_and_no_sqlite_and_pins_the_core_version()
    {
        var nuspec = Nuspec("Durable.Fluent.Testing");
        foreach (var tfm in new[] { "net8.0", "net10.0" })
        {
            Assert.That(DependencyVersions(nuspec, tfm), Is.EquivalentTo(new Dictionary<string, string> { ["Durable.Fluent"] = $"[{_version}]" }), tfm);
        }

        Assert.That(FrameworkReferences(nuspec), Is.Empty);
    }

    [Test]
    public void The_local_service_package_carries_the_store_and_the_engine()
    {
        var nuspec = Nuspec("Durable.Fluent.LocalService");
        foreach (var tfm in new[] { "net8.0", "net10.0" })
        {
            var deps = DependencyVersions(nuspec, tfm);
            Assert.That(deps.Keys, Is.SupersetOf(new[] { "Durable.Fluent", "Durable.Fluent.Testing", "Microsoft.Data.Sqlite" }), tfm);
            Assert.That(deps["Durable.Fluent"], Is.EqualTo($"[{_version}]"));
        }
    }

    [Test]
    public void The_s3_package_adds_only_the_s3_client_to_the_pinned_core()
    {
        var nuspec = Nuspec("Durable.Fluent.S3");
        foreach (var tfm in new[] { "net8.0", "net10.0" })
        {
            var deps = DependencyVersions(nuspec, tfm);
            Assert.That(deps.Keys, Is.EquivalentTo(new[] { "Durable.Fluent", "AWSSDK.S3" }), tfm);
            Assert.That(deps["Durable.Fluent"], Is.EqualTo($"[{_version}]"));
        }
    }

    [TestCase("Durable.Fluent")]
    [TestCase("Durable.Fluent.Testing")]
    [TestCase("Durable.Fluent.LocalService")]
    [TestCase("Durable.Fluent.S3")]
    public void Each_package_has_readme_license_version_xml_docs_and_symbols(string package)
    {
        var nuspec = Nuspec(package);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.That(metadata.Element(ns + "version")!.Value, Is.EqualTo(_version));
        Assert.That(metadata.Element(ns + "readme")?.Value, Is.EqualTo("README.md"));
        Assert.That(metadata.Element(ns + "license")?.Value, Is.EqualTo("MIT"));
        Assert.That(metadata.Element(ns + "description")?.Value, Has.Length.GreaterThan(80));
        Assert.That(metadata.Element(ns + "tags")?.Value, Does.Contain("lambda"));

        using var zip = ZipFile.OpenRead(Path.Combine(_feed, $"{package}.{_version}.nupkg"));
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.That(entries, Does.Contain("README.md"));
        foreach (var tfm in new[] { "net8.0", "net10.0" })
        {
            Assert.That(entries, Does.Contain($"lib/{tfm}/{package}.dll"));
            Assert.That(entries, Does.Contain($"lib/{tfm}/{package}.xml"), "XML docs ship beside the assembly");
        }

        using var readme = new StreamReader(zip.GetEntry("README.md")!.Open());
        Assert.That(readme.ReadToEnd(), Does.StartWith($"# {package}"));

        using var symbols = ZipFile.OpenRead(Path.Combine(_feed, $"{package}.{_version}.snupkg"));
        Assert.That(symbols.Entries.Select(e => e.FullName), Does.Contain($"lib/net10.0/{package}.pdb").And.Contain($"lib/net8.0/{package}.pdb"));
    }

    [Test]
    public void A_fresh_console_project_installs_the_packages_by_version_and_runs_a_workflow()
    {
        var app = Path.Combine(_work, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(_work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{_feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(_work, "packages")}" />
              </config>
            </configuration>
            """);

        var timeout = TimeSpan.FromMinutes(5);
        Dotnet(app, timeout, "new", "console", "--framework", "net10.0", "--name", "FreshApp", "--output", app);
        foreach (var package in Packages)
        {
            Dotnet(app, timeout, "add", "package", package, "--version", _version);
        }

        var project = File.ReadAllText(Path.Combine(app, "FreshApp.csproj"));
        Assert.That(project, Does.Not.Contain("ProjectReference"));
        Assert.That(project, Does.Contain($"Include=\"Durable.Fluent.Testing\" Version=\"{_version}\""));
        File.WriteAllText(Path.Combine(app, "Program.cs"), FreshAppProgram);

        var output = Dotnet(app, timeout, "run", "-c", "Release");

        Assert.That(output, Does.Contain("runner: Succeeded receipt o-7 for 3 items after 2 invocations"));
        Assert.That(output, Does.Contain("reflection: Succeeded receipt o-8 for 1 items"));
        Assert.That(output, Does.Contain("local service: Succeeded over HTTP"));
        Assert.That(Directory.Exists(Path.Combine(_work, "packages", "durable.fluent", _version)), Is.True, "installed from the folder feed into the project's own package folder");
    }

    [Test]
    public void The_durable_tool_installs_from_its_packed_package_and_runs()
    {
        // The tool bundles its dependencies: one package, installed as a user would (dotnet tool install --add-source).
        var timeout = TimeSpan.FromMinutes(10);
        var toolFeed = Path.Combine(_work, "tool-feed");
        Dotnet(RepoRoot, timeout, "pack", Path.Combine(RepoRoot, "Durable.Fluent.Cli", "Durable.Fluent.Cli.csproj"), "-c", Configuration, "-o", toolFeed, "--nologo");
        Assert.That(File.Exists(Path.Combine(toolFeed, $"Durable.Fluent.Cli.{_version}.nupkg")), Is.True);

        var tools = Path.Combine(_work, "tools");
        var install = Dotnet(_work, timeout, "tool", "install", "Durable.Fluent.Cli", "--version", _version, "--tool-path", tools, "--add-source", toolFeed);
        Assert.That(install, Does.Contain("durable"));

        var durable = Path.Combine(tools, OperatingSystem.IsWindows() ? "durable.exe" : "durable");
        Assert.That(Run(durable, _work, timeout, "--help"), Does.Contain("serve").And.Contain("callback").And.Contain("replay"));

        // A workflow assembly built elsewhere loads with the tool's own Durable.Fluent.
        var orders = Path.Combine(TestContext.CurrentContext.TestDirectory, "OrderProcessing.dll");
        Assert.That(Run(durable, _work, timeout, "graph", "--assembly", orders), Does.StartWith("flowchart TD").And.Contain("Step 'validate_order'"));
    }

    private const string FreshAppProgram = """
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using Durable.Fluent;
        using Durable.Fluent.LocalService;
        using Durable.Fluent.Testing;

        var workflow = Workflow.For<Order>()
            .Then("price", (o, ctx) => new Priced(o.Id, o.Items.Length * 10m))
            .Wait("settle", TimeSpan.FromSeconds(30))
            .Then("ship", (p, ctx) => new Receipt(p.OrderId, ctx.Input.Items.Length, "shipped"))
            .Build(AppJson.Default);

        using (var runner = new DurableTestRunner())
        {
            var execution = await runner.RunAsync(workflow, new Order("o-7", ["a", "b", "c"]));
            Console.WriteLine($"runner: {execution.Status} receipt {execution.Result!.OrderId} for {execution.Result.Items} items after {execution.Invocations} invocations");
        }

        var reflective = Workflow.For<Order>().Then("ship", (o, ctx) => new Receipt(o.Id, o.Items.Length, "shipped")).Build();
        using (var runner = new DurableTestRunner())
        {
            var execution = await runner.RunAsync(reflective, new Order("o-8", ["x"]));
            Console.WriteLine($"reflection: {execution.Status} receipt {execution.Result!.OrderId} for {execution.Result.Items} items");
        }

        var quick = Workflow.For<Order>().Then("ship", (o, ctx) => new Receipt(o.Id, o.Items.Length, "shipped")).Build(AppJson.Default);
        await using (var service = new LocalDurableService().Register("orders", quick).Start())
        {
            var arn = service.StartExecution("orders", "{\"id\":\"o-9\",\"items\":[\"z\"]}");
            await service.WaitForIdleAsync(arn);
            using var client = service.CreateClient();
            var described = await client.GetDurableExecutionAsync(arn);
            Console.WriteLine($"local service: {described.Status} over HTTP");
        }

        public sealed record Order(string Id, string[] Items);
        public sealed record Priced(string OrderId, decimal Total);
        public sealed record Receipt(string OrderId, int Items, string Status);

        [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
        [JsonSerializable(typeof(Order))]
        [JsonSerializable(typeof(Priced))]
        [JsonSerializable(typeof(Receipt))]
        internal sealed partial class AppJson : JsonSerializerContext;
        """;

    private static string RepoRoot { get; } = FindRepoRoot();

    private static string Configuration =>
        typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    private static string FindRepoRoot()
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

    private static string ReadVersion()
    {
        var props = XDocument.Load(Path.Combine(RepoRoot, "Directory.Build.props"));
        return props.Descendants("VersionPrefix").Single().Value;
    }

    private XDocument Nuspec(string package)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(_feed, $"{package}.{_version}.nupkg"));
        using var stream = zip.GetEntry($"{package}.nuspec")!.Open();
        return XDocument.Load(stream);
    }

    private static IEnumerable<XElement> Groups(XDocument nuspec, string tfm)
        => nuspec.Descendants().Where(e => e.Name.LocalName == "group" && (string?)e.Attribute("targetFramework") == tfm && e.Parent?.Name.LocalName == "dependencies");

    private static List<string> Dependencies(XDocument nuspec, string tfm) => DependencyVersions(nuspec, tfm).Keys.ToList();

    private static Dictionary<string, string> DependencyVersions(XDocument nuspec, string tfm)
    {
        var groups = Groups(nuspec, tfm).ToList();
        Assert.That(groups, Has.Count.EqualTo(1), $"one dependency group for {tfm}");
        return groups[0].Elements().ToDictionary(d => (string)d.Attribute("id")!, d => (string)d.Attribute("version")!);
    }

    private static List<string> AllDependencyIds(XDocument nuspec)
        => nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(d => (string)d.Attribute("id")!).ToList();

    private static List<string> FrameworkReferences(XDocument nuspec)
        => nuspec.Descendants().Where(e => e.Name.LocalName == "frameworkReference").Select(d => (string)d.Attribute("name")!).ToList();

    private static string Dotnet(string workingDirectory, TimeSpan timeout, params string[] args)
        => Run(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet", workingDirectory, timeout, args);

    private static string Run(string file, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
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
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {timeout}:\n{output}");
        }

        process.WaitForExit();
        var text = output.ToString();
        TestContext.Out.WriteLine($"$ {file} {string.Join(' ', args)}\n{text}");
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', args)} failed:\n{text}");
        return text;
    }
}
