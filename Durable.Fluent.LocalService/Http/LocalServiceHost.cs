using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// The HTTP front of <see cref="LocalDurableService"/>: Kestrel with endpoint routing (minimal APIs), built from an empty
/// host (no configuration files or environment variables are read, no console lifetime hooks Ctrl+C, and Kestrel's own
/// log lines reach the service's logger factory at Warning and above only). One class per resource maps its routes.
/// </summary>
internal sealed class LocalServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalServiceHost(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base URI (for example <c>http://127.0.0.1:54321/</c>).</summary>
    public Uri Endpoint { get; }

    /// <summary>Builds the host, binds the port and starts serving.</summary>
    /// <exception cref="IOException">The port cannot be bound.</exception>
    public static LocalServiceHost Start(LocalDurableService service, LocalDurableServiceOptions options)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(LocalServiceHost).Assembly.GetName().Name });
        builder.Services.AddLogging();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(options.LoggerFactory));
        builder.Logging.AddFilter((category, level) => category?.StartsWith("Microsoft.", StringComparison.Ordinal) != true || level >= LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // each route enforces its own limit with the AWS error shape
            kestrel.Limits.RequestHeadersTimeout = options.StalledRequestTimeout;
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: options.StalledRequestTimeout);
            Listen(kestrel, options);
        });

        var app = builder.Build();
        var log = options.LoggerFactory.CreateLogger("Durable.Fluent.LocalDurableService.Http");
        app.Use(new RequestGuards(service, loopbackOnly: !options.AllowNonLoopback).InvokeAsync);
        app.Use(new ErrorHandling(log).InvokeAsync);
        app.Use(RouteValues.Normalize);
        app.UseRouting();
        new EmulatorRoutes(service).Map(app);
        new InvocationRoutes(service).Map(app);
        var api = app.MapGroup("/2025-12-01");
        new ExecutionRoutes(service).Map(api);
        new CallbackRoutes(service).Map(api);
        new FunctionRoutes(service).Map(api);
        new Dashboard.DashboardRoutes(service).Map(app);

        app.StartAsync().GetAwaiter().GetResult();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        return new LocalServiceHost(app, new Uri($"http://{EndpointHost(options.Host)}:{port}/", UriKind.Absolute));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    internal static bool IsWildcard(string host) => host is "0.0.0.0" or "::" or "[::]" or "*" or "+";

    private static void Listen(KestrelServerOptions kestrel, LocalDurableServiceOptions options)
    {
        var host = options.Host;
        if (IsWildcard(host))
        {
            kestrel.ListenAnyIP(options.Port);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            if (options.Port == 0)
            {
                kestrel.Listen(IPAddress.Loopback, 0); // Kestrel binds "localhost" only to a fixed port
            }
            else
            {
                kestrel.ListenLocalhost(options.Port);
            }
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, options.Port);
        }
        else
        {
            throw new ArgumentException($"Host '{host}' is not an IP address or 'localhost'; the local durable service binds addresses, not names.", nameof(options));
        }
    }

    private static string EndpointHost(string host)
    {
        if (IsWildcard(host) || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "127.0.0.1";
        }

        var trimmed = host.Trim('[', ']');
        return trimmed.Contains(':', StringComparison.Ordinal) ? $"[{trimmed}]" : trimmed;
    }

    /// <summary>The host runs inside someone else's process: no console hooks, start and stop when told.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Sends the host's log lines to the service's <see cref="ILoggerFactory"/> (which it does not own).</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
