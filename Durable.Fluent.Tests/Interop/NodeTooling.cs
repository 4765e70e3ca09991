using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Durable.Fluent.Tests.Interop;

/// <summary>
/// Where the interop tests' JavaScript lives and how to run it: Node.js on the PATH (a missing or too old Node.js fails the
/// tests loudly, never skips them), the pinned npm project in <c>Durable.Fluent.Tests/Interop/js</c> (installed by
/// <c>build.ps1 -Task test</c> with <c>npm ci</c>), and the reusable host in <c>tools/js-host</c>.
/// </summary>
internal static class NodeTooling
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);
    private static readonly Lazy<string?> Problem = new(Check);

    public static string RepositoryRoot => Root.Value;

    public static string JsDirectory => Path.Combine(RepositoryRoot, "Durable.Fluent.Tests", "Interop", "js");

    public static string HostScript => Path.Combine(RepositoryRoot, "tools", "js-host", "host.mjs");

    /// <summary>Fails the calling test (loudly: this is a missing prerequisite, not a reason to skip) unless node and the npm packages are there.</summary>
    public static void Require()
    {
        if (Problem.Value is { } problem)
        {
            Assert.Fail(problem);
        }
    }

    /// <summary>Starts <c>node</c> with the arguments, in the js directory, with redirected streams.</summary>
    public static Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = JsDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("--no-warnings"); // the AWS SDK warns about Node 20 on every start
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("node did not start.");
    }

    /// <summary>Collects a process's standard error (for failure messages).</summary>
    public static ConcurrentQueue<string> CollectStandardError(Process process)
    {
        var lines = new ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        };
        process.BeginErrorReadLine();
        return lines;
    }

    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    private static string? Check()
    {
        string version;
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            version = node.StandardOutput.ReadToEnd().Trim();
            node.WaitForExit();
        }
        catch (Win32Exception ex)
        {
            return $"Node.js is not installed or not on the PATH ({ex.Message}). The interop tests run the official AWS JavaScript clients "
                + "against the local durable service and need Node.js 20 or later with npm: install them (Debian: apt-get install nodejs npm; "
                + ".ci/run checks for them) and run `dotnet pwsh build.ps1 -Task test`, which installs the pinned npm packages.";
        }

        if (!Version.TryParse(version.TrimStart('v'), out var v) || v.Major < 20)
        {
            return $"Node.js {version} is too old: the interop tests need Node.js 20 or later.";
        }

        var modules = Path.Combine(JsDirectory, "node_modules");
        foreach (var package in new[] { "@aws-sdk/client-lambda", "@aws/durable-execution-sdk-js" })
        {
            var manifest = Path.Combine(modules, package, "package.json");
            if (!File.Exists(manifest))
            {
                return $"The npm package {package} is not installed in {JsDirectory}. Run `npm ci --prefix {JsDirectory}` "
                    + "(`dotnet pwsh build.ps1 -Task test` does it before the tests).";
            }

            var pinned = JsonNode.Parse(File.ReadAllText(Path.Combine(JsDirectory, "package.json")))!["dependencies"]![package]!.GetValue<string>();
            var installed = JsonNode.Parse(File.ReadAllText(manifest))!["version"]!.GetValue<string>();
            if (pinned != installed)
            {
                return $"{package} {installed} is installed in {JsDirectory} but package.json pins {pinned}: run `npm ci --prefix {JsDirectory}`.";
            }
        }

        return null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Durable.Fluent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Durable.Fluent.sln not found above {TestContext.CurrentContext.TestDirectory}.");
    }
}

/// <summary>
/// A long-running node process (<c>Interop/js/sdk-bridge.mjs</c>) that runs <c>@aws-sdk/client-lambda</c> commands against
/// the local service: one JSON line per command in, one JSON line per answer out.
/// </summary>
internal sealed class SdkBridge : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _id;

    public SdkBridge(Uri endpoint)
    {
        NodeTooling.Require();
        _process = NodeTooling.Start(["sdk-bridge.mjs"], new Dictionary<string, string> { ["INTEROP_ENDPOINT"] = endpoint.ToString().TrimEnd('/') });
        _stderr = NodeTooling.CollectStandardError(_process);
    }

    /// <summary>Runs <c>{command}Command</c> with <paramref name="input"/> (a JSON object; see sdk-bridge.mjs for blobs and dates).</summary>
    public async Task<SdkAnswer> SendAsync(string command, JsonObject input)
    {
        await _gate.WaitAsync();
        try
        {
            var id = ++_id;
            var request = new JsonObject { ["id"] = id, ["command"] = command, ["input"] = input };
            await _process.StandardInput.WriteLineAsync(request.ToJsonString());
            await _process.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                string? line;
                try
                {
                    line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"sdk-bridge did not answer {command} within 60 s. stderr:\n{string.Join('\n', _stderr)}");
                }

                if (line is null)
                {
                    throw new InvalidOperationException($"sdk-bridge exited while running {command}. stderr:\n{string.Join('\n', _stderr)}");
                }

                var answer = JsonNode.Parse(line)!.AsObject();
                if (answer["id"]?.GetValue<int>() == id)
                {
                    return new SdkAnswer(command, answer);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs the command and returns its output, failing the test with the SDK's error if it failed.</summary>
    public async Task<JsonObject> OkAsync(string command, JsonObject input)
    {
        var answer = await SendAsync(command, input);
        Assert.That(answer.Ok, Is.True, $"{command} failed: {answer.Raw.ToJsonString()}");
        return answer.Output;
    }

    /// <summary>Runs the command and returns the SDK's error, failing the test if it succeeded.</summary>
    public async Task<SdkError> ErrorAsync(string command, JsonObject input)
    {
        var answer = await SendAsync(command, input);
        Assert.That(answer.Ok, Is.False, $"{command} was expected to fail: {answer.Raw.ToJsonString()}");
        return answer.Error;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close(); // the bridge ends at end of input
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        NodeTooling.Stop(_process);
        _gate.Dispose();
    }

    public static JsonObject Utf8(string text) => new() { ["$utf8"] = text };

    public static JsonObject Date(DateTimeOffset at) => new() { ["$date"] = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture) };
}

/// <summary>One answer of the bridge.</summary>
internal sealed record SdkAnswer(string Command, JsonObject Raw)
{
    public bool Ok => Raw["ok"]!.GetValue<bool>();

    public JsonObject Output => Raw["output"]!.AsObject();

    public int? HttpStatusCode => Raw["httpStatusCode"]?.GetValue<int>();

    public SdkError Error => new(Raw["error"]!.AsObject());
}

/// <summary>An error as the SDK typed it: its class name, HTTP status, fault, and whether it is the modeled exception class.</summary>
internal sealed record SdkError(JsonObject Raw)
{
    public string Name => Raw["name"]!.GetValue<string>();

    public string Message => Raw["message"]?.GetValue<string>() ?? string.Empty;

    public int HttpStatusCode => Raw["httpStatusCode"]!.GetValue<int>();

    public string? Fault => Raw["fault"]?.GetValue<string>();

    public bool IsModeledClass => Raw["isModeledClass"]?.GetValue<bool>() == true;

    public string? RequestId => Raw["requestId"]?.GetValue<string>();

    public override string ToString() => Raw.ToJsonString();
}

/// <summary>Reads what the bridge encoded: <c>{"$date": ...}</c> (the SDK gave a Date) and <c>{"$utf8": ...}</c> (a Uint8Array).</summary>
internal static class SdkValues
{
    /// <summary>The timestamp, asserting that the SDK parsed it as a Date.</summary>
    public static DateTimeOffset AsDate(this JsonNode? node)
    {
        Assert.That(node, Is.InstanceOf<JsonObject>(), $"expected a Date, got {node?.ToJsonString() ?? "nothing"}");
        var text = node!["$date"]?.GetValue<string>();
        Assert.That(text, Is.Not.Null.And.Not.EqualTo("Invalid Date"), $"expected a valid Date, got {node.ToJsonString()}");
        return DateTimeOffset.Parse(text!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The bytes as text, asserting that the SDK gave a Uint8Array.</summary>
    public static string AsUtf8(this JsonNode? node)
    {
        Assert.That(node?["$utf8"], Is.Not.Null, $"expected bytes, got {node?.ToJsonString() ?? "nothing"}");
        return node!["$utf8"]!.GetValue<string>();
    }

    public static string Str(this JsonNode? node) => node?.GetValue<string>() ?? throw new AssertionException("expected a string, got nothing");

    public static JsonElement ToElement(this JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();
}
