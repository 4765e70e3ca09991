using System.Text.Json.Nodes;
using Durable.Fluent.Tests.Conformance.Harness;

namespace Durable.Fluent.Tests.Conformance.Handlers;

/// <summary>Handlers of the `wait` group (2-x).</summary>
internal static class WaitHandlers
{
    [Requirement("2-2")]
    public static ConformanceCase NamedWait() => ConformanceCase.Of(
        Workflow.For<JsonNode?>().Wait("custom_wait_name", TimeSpan.FromSeconds(2)).Select(_ => "done").Build());

    [Requirement("2-3")]
    public static ConformanceCase TwoWaits() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Wait("wait-1", TimeSpan.FromSeconds(2))
            .Wait("wait-2", TimeSpan.FromSeconds(2))
            .Select(_ => new { completedWaits = 2 })
            .Build());

    [Requirement("2-4")]
    public static ConformanceCase MinuteWait() => ConformanceCase.Of(
        Workflow.For<JsonNode?>().Wait(TimeSpan.FromMinutes(1)).Select(_ => "done").Build());

    [Requirement("2-5")]
    public static ConformanceCase HourWait() => ConformanceCase.Of(
        Workflow.For<JsonNode?>().Wait(TimeSpan.FromHours(1)).Select(_ => "done").Build());
}
