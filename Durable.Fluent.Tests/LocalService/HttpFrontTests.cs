using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Durable.Fluent.LocalService;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>The ASP.NET Core front itself: paths as curl users type them, a quiet Kestrel, binding.</summary>
public class HttpFrontTests
{
    [Test]
    public async Task An_arn_typed_unescaped_in_the_path_reaches_the_same_routes_as_an_escaped_one()
    {
        var handler = new CallbackHandler();
        await using var h = new ServiceHarness(register: s => s.Register("cb", handler.HandleAsync));
        var arn = h.Service.StartExecution("cb", null, "raw-path");
        await h.Service.WaitForIdleAsync(arn);

        using var escaped = await h.Http.GetAsync("/2025-12-01/durable-executions/" + Uri.EscapeDataString(arn));
        using var raw = await h.Http.GetAsync("/2025-12-01/durable-executions/" + arn);
        using var rawHistory = await h.Http.GetAsync("/2025-12-01/durable-executions/" + arn + "/history");
        using var lowercase = await h.Http.GetAsync("/2025-12-01/durable-executions/" + Uri.EscapeDataString(arn).Replace("%2F", "%2f", StringComparison.Ordinal));

        Assert.That(arn, Does.Contain("/"), "the ARN has slashes, so the raw path has extra segments");
        Assert.That((escaped.StatusCode, raw.StatusCode, rawHistory.StatusCode, lowercase.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK)));
        Assert.That(await raw.Content.ReadAsStringAsync(), Is.EqualTo(await escaped.Content.ReadAsStringAsync()));
        Assert.That(await lowercase.Content.ReadAsStringAsync(), Is.EqualTo(await escaped.Content.ReadAsStringAsync()), "%2f is an escaped slash too");
        using var doc = JsonDocument.Parse(await rawHistory.Content.ReadAsStringAsync());
        Assert.That(doc.RootElement.GetProperty("Events").GetArrayLength(), Is.GreaterThan(0));
    }

    [Test]
    public async Task Kestrel_and_hosting_log_nothing_below_warning_through_the_services_logger_factory()
    {
        var logs = new CapturingLoggerFactory();
        var handler = new CallbackHandler();
        await using (var service = new LocalDurableService(new LocalDurableServiceOptions { LoggerFactory = logs, InvokeOverHttp = true }))
        {
            service.Register("cb", handler.HandleAsync).Start();
            using var http = new HttpClient { BaseAddress = service.Endpoint };
            var arn = service.StartExecution("cb", null);
            await service.WaitForIdleAsync(arn);
            using var health = await http.GetAsync("/health");
            using var missing = await http.GetAsync("/nowhere");
            Assert.That((health.StatusCode, missing.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.NotFound)));
        }

        var framework = logs.Entries.Where(e => e.Category.StartsWith("Microsoft.", StringComparison.Ordinal)).ToList();
        Assert.That(framework.Where(e => e.Level < LogLevel.Warning), Is.Empty, string.Join("\n", framework.Select(e => $"{e.Category} {e.Level}: {e.Message}")));
        Assert.That(logs.Entries.Select(e => e.Category), Does.Contain("Durable.Fluent.LocalDurableService"), "the service's own lines still arrive");
    }

    [Test]
    public async Task Localhost_with_port_zero_binds_a_free_loopback_port()
    {
        await using var service = new LocalDurableService(new LocalDurableServiceOptions { Host = "localhost" }).Start();
        using var http = new HttpClient { BaseAddress = service.Endpoint };
        using var health = await http.GetAsync("/health");
        Assert.That((service.Endpoint.Host, health.StatusCode), Is.EqualTo(("127.0.0.1", HttpStatusCode.OK)));
        Assert.That(service.Endpoint.Port, Is.GreaterThan(0));
    }

    [Test]
    public void A_host_name_that_is_not_an_address_is_refused_with_the_reason()
    {
        var service = new LocalDurableService(new LocalDurableServiceOptions { Host = "example.invalid", AllowNonLoopback = true });
        Assert.That(() => service.Start(), Throws.ArgumentException.With.Message.Contains("not an IP address"));
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}
