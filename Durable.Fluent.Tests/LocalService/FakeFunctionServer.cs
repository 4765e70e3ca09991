using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// A function reached by URL, played by the test: a Kestrel server on 127.0.0.1 that records each request and answers it
/// with <see cref="Handler"/> (a well-formed function, a crash, a hang, garbage...).
/// </summary>
internal sealed class FakeFunctionServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeFunctionServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The invocation URL, in the runtime interface emulator's form.</summary>
    public Uri Url { get; }

    /// <summary>Answers a request (its body was already read into <see cref="Requests"/>).</summary>
    public Func<HttpContext, RecordedRequest, Task> Handler { get; set; } = (ctx, _) =>
    {
        ctx.Response.StatusCode = 500;
        return Task.CompletedTask;
    };

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<FakeFunctionServer> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeFunctionServer? server = null;
        app.Run(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync(ctx.RequestAborted);
            var recorded = new RecordedRequest(
                ctx.Request.Method,
                ctx.Request.Path.Value ?? string.Empty,
                ctx.Request.ContentType,
                ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body);
            server!.Requests.Enqueue(recorded);
            await server.Handler(ctx, recorded);
        });
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        server = new FakeFunctionServer(app, new Uri($"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations"));
        return server;
    }

    /// <summary>Answers <paramref name="status"/> with a body and content type.</summary>
    public static async Task Answer(HttpContext ctx, int status, string body, string contentType = "application/json", string? functionError = null)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        if (functionError is not null)
        {
            ctx.Response.Headers["X-Amz-Function-Error"] = functionError;
        }

        await ctx.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record RecordedRequest(string Method, string Path, string? ContentType, IReadOnlyDictionary<string, string> Headers, string Body);
}
