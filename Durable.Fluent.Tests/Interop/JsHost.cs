using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Durable.Fluent.Tests.Interop;

/// <summary>
/// <c>tools/js-host/host.mjs</c> serving a module of JavaScript durable functions on a free port, pointed at the local
/// service's endpoint: each export is a function the service can register by URL.
/// </summary>
internal sealed partial class JsHost : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr;

    private JsHost(Process process, ConcurrentQueue<string> stderr, Uri baseUrl)
    {
        _process = process;
        _stderr = stderr;
        BaseUrl = baseUrl;
    }

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>What the host logged (one line per invocation), for failure messages.</summary>
    public string Log => string.Join('\n', _stderr);

    /// <summary>The invocation URL of one export of the module.</summary>
    public Uri FunctionUrl(string export) => new(BaseUrl, $"2015-03-31/functions/{export}/invocations");

    public static async Task<JsHost> StartAsync(string module, Uri serviceEndpoint)
    {
        NodeTooling.Require();
        var process = NodeTooling.Start([NodeTooling.HostScript, "--handler", module, "--port", "0", "--endpoint", serviceEndpoint.ToString().TrimEnd('/')]);
        var stderr = NodeTooling.CollectStandardError(process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            line = null;
        }

        var match = line is null ? null : Listening().Match(line);
        if (match is not { Success: true })
        {
            NodeTooling.Stop(process);
            throw new InvalidOperationException($"js-host did not start (first line: {line ?? "none"}). stderr:\n{string.Join('\n', stderr)}");
        }

        return new JsHost(process, stderr, new Uri(match.Groups[1].Value + "/"));
    }

    public void Dispose() => NodeTooling.Stop(_process);

    [GeneratedRegex(@"^js-host listening on (http://[^/]+)/")]
    private static partial Regex Listening();
}

/// <summary>The stack every interop fixture runs: a local durable service on real time and js-host serving <c>workflows.mjs</c>, its exports registered by URL.</summary>
internal sealed class InteropStack : IAsyncDisposable
{
    private InteropStack(Durable.Fluent.LocalService.LocalDurableService service, JsHost host)
    {
        Service = service;
        Host = host;
    }

    public Durable.Fluent.LocalService.LocalDurableService Service { get; }

    public JsHost Host { get; }

    public static async Task<InteropStack> StartAsync(params string[] exports)
    {
        NodeTooling.Require();
        var service = new Durable.Fluent.LocalService.LocalDurableService(new Durable.Fluent.LocalService.LocalDurableServiceOptions { InvocationRetryDelay = TimeSpan.FromSeconds(1) }).Start();
        try
        {
            var host = await JsHost.StartAsync("workflows.mjs", service.Endpoint);
            foreach (var export in exports)
            {
                service.RegisterUrl(export, host.FunctionUrl(export));
            }

            return new InteropStack(service, host);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        await Service.DisposeAsync();
    }
}
