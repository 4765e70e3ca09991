using Durable.Fluent.LocalService;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Benchmarks.ServiceLoad;

/// <summary>Moves the service's clock past the retention period so that its sweep (a timer on that clock) purges the ended executions.</summary>
internal static class Retention
{
    /// <summary>Advances the fake clock past the service's retention period; the task completes when the sweep it fired is done.</summary>
    public static Task? TryPurge(LocalDurableService service, FakeTimeProvider clock)
    {
        clock.Advance(TimeSpan.FromDays(service.Options.RetentionPeriodInDays) + TimeSpan.FromMinutes(2));
        return service.RetentionSweep;
    }
}
