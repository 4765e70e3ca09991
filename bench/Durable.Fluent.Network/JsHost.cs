using System.Collections.Concurrent;
using System.Diagnostics;

namespace Durable.Fluent.Network;

/// <summary>
/// <c>tools/js-host/host.mjs</c> in a node process serving the JS workflows module on a free port, its SDK pointed at the
/// latency proxy (every checkpoint pays the same RTT as ours). Disposing stops the process this class started.
/// </summary>
internal sealed class JsHost : IDisposable
{
    private const string Listening = "js-host listening on ";
    private readonly Process _process;

    private JsHost(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    public static JsHost Start(string hostScript, string module, Uri checkpointEndpoint)
    {
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { hostScript, "--handler", module, "--port", "0", "--quiet", "--endpoint", checkpointEndpoint.ToString().TrimEnd('/') })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start node (is Node.js 20+ on PATH?)");
        var stderr = new ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                stderr.Enqueue(line);
                Console.Error.WriteLine($"  js-host: {line}");
            }
        };
        process.BeginErrorReadLine();
        var first = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        if (first is null || !first.StartsWith(Listening, StringComparison.Ordinal))
        {
            Stop(process);
            throw new InvalidOperationException($"js-host did not start (first line: {first ?? "none"}); stderr:\n{string.Join('\n', stderr)}");
        }

        var url = new Uri(first[Listening.Length..].Trim());
        return new JsHost(process, new Uri(url.GetLeftPart(UriPartial.Authority) + "/"));
    }

    public void Dispose() => Stop(_process);

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
    }
}
