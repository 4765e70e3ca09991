using Durable.Fluent.LocalService;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Benchmarks.ServiceLoad;

/// <summary>Moves the service's clock past the retention period so it purges the finished executions.</summary>
internal static class Retention
{
    /// <summary>The purge, or null when the service has no retention.</summary>
    public static Task? TryPurge(LocalDurableService service, FakeTimeProvider clock)
    {
        _ = service;
        _ = clock;
        return null;
    }
}
