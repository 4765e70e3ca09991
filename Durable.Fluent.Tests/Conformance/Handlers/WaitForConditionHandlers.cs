using System.Text.Json.Nodes;
using Durable.Fluent.Retries;
using Durable.Fluent.Tests.Conformance.Harness;

namespace Durable.Fluent.Tests.Conformance.Handlers;

/// <summary>Handlers of the `wait_for_condition` group (6-x).</summary>
internal static class WaitForConditionHandlers
{
    public sealed record JobState(string Status, int Attempts);

    [Requirement("6-1")]
    public static ConformanceCase CountToInput() => CountTo("count", 0, 1);

    [Requirement("6-3")]
    public static ConformanceCase Named() => CountTo("poll-status", 0, 1);

    [Requirement("6-4")]
    public static ConformanceCase InitialState() => CountTo("count_from_5", 5, 1);

    [Requirement("6-5")]
    public static ConformanceCase FixedTwoSeconds() => CountTo("fixed", 0, 2);

    [Requirement("6-2")]
    public static ConformanceCase AlreadyTrue() => ConformanceCase.Of(
        Workflow.For<int>()
            .WaitForCondition<int>("already_true", (s, _) => s, WaitStrategy.Fixed<int>(s => s < 5, TimeSpan.FromSeconds(1)), initialState: 5)
            .Build());

    [Requirement("6-6")]
    public static ConformanceCase Exhausted() => ConformanceCase.Of(
        Workflow.For<int>()
            .WaitForCondition<int>("never", (s, _) => s + 1, WaitStrategy.Fixed<int>(_ => true, TimeSpan.FromSeconds(1), maxAttempts: 3), initialState: 0)
            .Build());

    [Requirement("6-7")]
    public static ConformanceCase CheckThrows() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .WaitForCondition<int>("throws", (_, _) => throw new InvalidOperationException("check failed"), WaitStrategy.Fixed<int>(_ => true, TimeSpan.FromSeconds(1)), initialState: 0)
            .Build());

    [Requirement("6-8")]
    public static ConformanceCase CheckThrowsCaught() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Try(
                b => b.WaitForCondition<int>("throws", (_, _) => throw new InvalidOperationException("check failed"), WaitStrategy.Fixed<int>(_ => true, TimeSpan.FromSeconds(1)), initialState: 0)
                      .Select(_ => "unreachable"),
                h => h.Catch<WaitForConditionFailedException>((_, _) => "recovered"))
            .Build());

    [Requirement("6-9")]
    public static ConformanceCase StructuredState() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .WaitForCondition<JobState>("job", (s, _) => s.Attempts + 1 >= 2 ? new JobState("DONE", s.Attempts + 1) : s with { Attempts = s.Attempts + 1 },
                WaitStrategy.Fixed<JobState>(s => s.Status == "PENDING", TimeSpan.FromSeconds(1)), initialState: new JobState("PENDING", 0))
            .Build());

    [Requirement("6-10")]
    public static ConformanceCase NullState() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .WaitForCondition<string?>("null_state", (_, _) => null, WaitStrategy.Fixed<string?>(s => s is not null, TimeSpan.FromSeconds(1)), initialState: "start")
            .Build());

    [Requirement("6-12")]
    public static ConformanceCase ThenStep() => ConformanceCase.Of(
        Workflow.For<int>()
            .WaitForCondition<int>("count", (s, _) => s + 1, threshold => WaitStrategy.Fixed<int>(s => s < threshold, TimeSpan.FromSeconds(1)), initialState: 0)
            .Then("times_ten", (s, _) => s * 10)
            .Build());

    /// <summary>Counter from <paramref name="initial"/> until it reaches the input, polled every <paramref name="delaySeconds"/> s.</summary>
    private static ConformanceCase CountTo(string name, int initial, int delaySeconds) => ConformanceCase.Of(
        Workflow.For<int>()
            .WaitForCondition<int>(name, (s, _) => s + 1, threshold => WaitStrategy.Fixed<int>(s => s < threshold, TimeSpan.FromSeconds(delaySeconds)), initialState: initial)
            .Build());
}
