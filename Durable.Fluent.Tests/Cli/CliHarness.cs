using System.Diagnostics;
using System.Text;
using Durable.Fluent.Cli;
using Durable.Fluent.Cli.Output;

namespace Durable.Fluent.Tests.Cli;

/// <summary>What one run of the durable command printed, and its exit code.</summary>
internal sealed record CliRun(int Exit, string Out, string Err)
{
    public override string ToString() => $"exit {Exit}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}

/// <summary>Runs the durable command in-process (captured output) or as the built tool in a child process.</summary>
internal static class CliHarness
{
    public static string TestDirectory => TestContext.CurrentContext.TestDirectory;

    public static string OrderAssembly => Path.Combine(TestDirectory, "OrderProcessing.dll");

    public static string TestAssembly => typeof(CliWorkflows).Assembly.Location;

    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    public static async Task<CliRun> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await DurableCli.RunAsync(args, new CliConsole(output, error), cancellationToken);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>Starts <c>dotnet durable.dll args</c> (the built tool) with its output collected as it comes.</summary>
    public static ToolProcess StartTool(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(TestDirectory, "durable.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return new ToolProcess(Process.Start(start)!, args);
    }

    public static async Task<CliRun> RunToolAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var tool = StartTool(workingDirectory, args);
        return await tool.WaitAsync(timeout);
    }
}

/// <summary>A running durable process whose output is collected line by line.</summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process _process;
    private readonly string[] _args;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    public ToolProcess(Process process, string[] args)
    {
        _process = process;
        _args = args;
        process.OutputDataReceived += (_, e) => { lock (_out) { _out.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_err) { _err.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Out { get { lock (_out) { return _out.ToString(); } } }

    public string Err { get { lock (_err) { return _err.ToString(); } } }

    /// <summary>Waits until standard output contains <paramref name="text"/>.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Out.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                Assert.Fail($"durable {string.Join(' ', _args)} did not print '{text}' (exited: {_process.HasExited}).\n--- stdout\n{Out}\n--- stderr\n{Err}");
            }

            await Task.Delay(100);
        }

        return Out;
    }

    public async Task<CliRun> WaitAsync(TimeSpan timeout)
    {
        using var guard = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"durable {string.Join(' ', _args)} did not exit within {timeout}.\n--- stdout\n{Out}\n--- stderr\n{Err}");
        }

        _process.WaitForExit(); // drains the output events
        return new CliRun(_process.ExitCode, Out, Err);
    }

    /// <summary>
    /// Asks the process to stop as a service manager would (SIGTERM on Unix; the CLI cancels on SIGTERM as on Ctrl+C).
    /// Not SIGINT: a test run started as a background job (CI scripts, <c>cmd &amp;</c>) inherits SIGINT as ignored,
    /// and an ignored signal stays ignored in every child process.
    /// </summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            if (OperatingSystem.IsWindows())
            {
                _process.Kill();
            }
            else
            {
                using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                kill.WaitForExit();
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
