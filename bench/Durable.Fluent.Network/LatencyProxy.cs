using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Network;

/// <summary>
/// An HTTP reverse proxy in front of the local durable service that adds a fixed round-trip time to every request (the whole
/// RTT before the request is forwarded) and counts the CheckpointDurableExecution traffic: requests and bytes (request body
/// plus response body). Every SDK under test talks to the service through it, so all see the same network.
/// </summary>
internal sealed class LatencyProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Upgrade", "Proxy-Connection" };
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private long _requests;
    private long _bytes;
    private long _stateReads;

    private LatencyProxy(WebApplication app, HttpClient upstream, Uri target)
    {
        _app = app;
        _upstream = upstream;
        _target = target;
    }

    /// <summary>The proxy's address.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The round-trip time added to each request.</summary>
    public TimeSpan RoundTrip { get; set; }

    /// <summary>CheckpointDurableExecution requests since the last <see cref="Reset"/>.</summary>
    public long CheckpointRequests => Interlocked.Read(ref _requests);

    /// <summary>Bytes of CheckpointDurableExecution requests and responses (bodies) since the last <see cref="Reset"/>.</summary>
    public long CheckpointBytes => Interlocked.Read(ref _bytes);

    /// <summary>GetDurableExecutionState requests since the last <see cref="Reset"/>.</summary>
    public long StateReads => Interlocked.Read(ref _stateReads);

    public static async Task<LatencyProxy> StartAsync(Uri target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var upstream = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), MaxConnectionsPerServer = 256 })
        {
            Timeout = TimeSpan.FromMinutes(2),
        };
        var proxy = new LatencyProxy(app, upstream, target);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.Endpoint = new Uri(address.EndsWith('/') ? address : address + "/");
        return proxy;
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _bytes, 0);
        Interlocked.Exchange(ref _stateReads, 0);
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var body = buffer.ToArray();
        if (RoundTrip > TimeSpan.Zero)
        {
            await Task.Delay(RoundTrip, context.RequestAborted).ConfigureAwait(false);
        }

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.Path.Value + request.QueryString.Value));
        if (body.Length > 0 || HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method))
        {
            message.Content = new ByteArrayContent(body);
        }

        foreach (var header in request.Headers)
        {
            if (HopByHop.Contains(header.Key))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                message.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        using var response = await _upstream.SendAsync(message, HttpCompletionOption.ResponseContentRead, context.RequestAborted).ConfigureAwait(false);
        var reply = await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(header.Key))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        var path = request.Path.Value ?? string.Empty;
        if (HttpMethods.IsPost(request.Method) && path.EndsWith("/checkpoint", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _requests);
            Interlocked.Add(ref _bytes, body.Length + reply.Length);
        }
        else if (HttpMethods.IsGet(request.Method) && path.EndsWith("/state", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _stateReads);
        }

        context.Response.ContentLength = reply.Length;
        await context.Response.Body.WriteAsync(reply, context.RequestAborted).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _upstream.Dispose();
    }
}
