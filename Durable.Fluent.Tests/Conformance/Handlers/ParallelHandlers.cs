using System.Text.Json;
using System.Text.Json.Nodes;
using Durable.Fluent.Serialization;
using Durable.Fluent.Tests.Conformance.Harness;

namespace Durable.Fluent.Tests.Conformance.Handlers;

/// <summary>Handlers of the `parallel` group (8-x).</summary>
internal static class ParallelHandlers
{
    [Requirement("8-1")]
    public static ConformanceCase Basic() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("parallel", [StepReturning("task1", "task-1"), StepReturning("task2", "task-2")], c => c.MaxConcurrency(1))
            .Select(r => r.Results)
            .Build());

    [Requirement("8-2")]
    public static ConformanceCase Unnamed() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel([Returning("alpha"), Returning("beta")], c => c.MaxConcurrency(1))
            .Select(r => r.Results)
            .Build());

    [Requirement("8-3")]
    public static ConformanceCase NamedBranches() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("named", p => p
                    .Branch("first", b => b.Select(_ => "one"))
                    .Branch("second", b => b.Select(_ => "two")),
                c => c.MaxConcurrency(1))
            .Select(r => r.Values)
            .Select(t => new[] { t.Item1, t.Item2 })
            .Build());

    [Requirement("8-4")]
    public static ConformanceCase HeterogeneousTypes() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("hetero", p => p
                    .Branch(b => b.Select(_ => "hello"))
                    .Branch(b => b.Select(_ => 42))
                    .Branch(b => b.Select(_ => new KeyValue("v"))),
                c => c.MaxConcurrency(1))
            .Select(r => r.Values)
            .Select(t => new object[] { t.Item1, t.Item2, t.Item3 })
            .Build());

    [Requirement("8-6")]
    public static ConformanceCase FailFast() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("failfast", [Returning("ok"), Failing(), Returning("never")], c => c.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailureCount = 0 }))
            .Select(FullProjection)
            .Build());

    [Requirement("8-7")]
    public static ConformanceCase ThrowIfError() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("throwing", [Failing(), Returning("never")], c => c.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailureCount = 0 }))
            .Do((r, _) => r.ThrowIfError())
            .Build());

    [Requirement("8-8")]
    public static ConformanceCase MinSuccessful() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("min-successful", [Returning("b0"), Returning("b1"), Returning("b2"), Returning("b3")], c => c.MaxConcurrency(1).Completion(new CompletionConfig { MinSuccessful = 2 }))
            .Select(r => new { completionReason = r.CompletionReason, successCount = r.SuccessCount, totalCount = r.TotalCount })
            .Build());

    [Requirement("8-9")]
    public static ConformanceCase ToleratedWithinLimit() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("tolerated", [Returning("b0"), Failing(), Returning("b2")], c => c.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailureCount = 1 }))
            .Select(FullProjection)
            .Build());

    [Requirement("8-10")]
    public static ConformanceCase ToleratedExceeded() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("tolerated-exceeded", [Failing(), Failing(), Returning("never")], c => c.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailureCount = 1 }))
            .Select(CountProjection)
            .Build());

    [Requirement("8-12")]
    public static ConformanceCase Flat() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("flat", [StepReturning("fa_step", "fa"), StepReturning("fb_step", "fb")], c => c.MaxConcurrency(1).Flat())
            .Select(r => r.Results)
            .Build());

    [Requirement("8-13")]
    public static ConformanceCase ToleratedPercentageExceeded() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("tolerated-pct", [Failing(), Failing(), Returning("b2"), Returning("b3")], c => c.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailurePercentage = 25 }))
            .Select(CountProjection)
            .Build());

    [Requirement("8-14")]
    public static ConformanceCase ReplaySkipsFinishedBranch() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("replay", [StepReturning("b0_step", "b0"), b => b.Wait(TimeSpan.FromSeconds(2)).Select(_ => "b1")], c => c.MaxConcurrency(1))
            .Select(r => r.Results)
            .Build());

    [Requirement("8-15")]
    public static ConformanceCase ItemSerDes() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("serde", [Returning("x"), Returning("y")], c => c.MaxConcurrency(1).ItemSerializer(new EnvelopeSerDes()))
            .Select(r => r.Results)
            .Build());

    [Requirement("8-17")]
    public static ConformanceCase MinSuccessfulNotReached() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("min-not-reached", [Returning("b0"), Failing(), Returning("b2")], c => c.MaxConcurrency(1).Completion(new CompletionConfig { MinSuccessful = 3 }))
            .Select(FullProjection)
            .Build());

    [Requirement("8-18")]
    public static ConformanceCase MinSuccessfulAndTolerated() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("combined", [Failing(), Failing(), Returning("b2"), Returning("b3")], c => c.MaxConcurrency(1).Completion(new CompletionConfig { MinSuccessful = 3, ToleratedFailureCount = 1 }))
            .Select(CountProjection)
            .Build());

    // Build() rejects MaxConcurrency(0) before anything runs; the imperative SDKs find it when the handler calls parallel. The
    // handler therefore builds the parallel while it runs, so the validation error fails the execution before any operation.
    [Requirement("8-19")]
    public static ConformanceCase InvalidMaxConcurrency() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Select(_ => Workflow.For<JsonNode?>()
#pragma warning disable DF0006 // requirement 8-19 is exactly this mistake
                .Parallel("bad-concurrency", [Returning("a"), Returning("b")], c => c.MaxConcurrency(0))
#pragma warning restore DF0006
                .Select(r => r.Results)
                .Build())
            .Build());

    [Requirement("8-20")]
    public static ConformanceCase Accessors() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("accessors", [Returning("b0"), Failing(), Returning("b2")], c => c.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailureCount = 1 }))
            .Select(r => new { hasFailure = r.HasFailure, successCount = r.Succeeded().Count, failureCount = r.Failed().Count, errorCount = r.Errors.Count })
            .Build());

    [Requirement("8-22")]
    public static ConformanceCase ToleratedPercentageBoundary() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Parallel("pct-boundary", [Failing(), Returning("b1"), Returning("b2"), Returning("b3")], c => c.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailurePercentage = 25 }))
            .Select(FullProjection)
            .Build());

    /// <summary>A branch returning a constant directly (no inner operation).</summary>
    private static Func<WorkflowBuilder<JsonNode?, JsonNode?>, WorkflowBuilder<JsonNode?, string>> Returning(string value) => b => b.Select(_ => value);

    /// <summary>A branch running one step that returns a constant.</summary>
    private static Func<WorkflowBuilder<JsonNode?, JsonNode?>, WorkflowBuilder<JsonNode?, string>> StepReturning(string stepName, string value)
        => b => b.Then(stepName, (_, _) => value);

    /// <summary>A branch that raises (no inner operation, so the branch context fails directly).</summary>
    private static Func<WorkflowBuilder<JsonNode?, JsonNode?>, WorkflowBuilder<JsonNode?, string>> Failing()
        => b => b.Select<string>(_ => throw new InvalidOperationException("branch failed"));

    private static object FullProjection(BatchResult<string> r) => new
    {
        completionReason = r.CompletionReason,
        status = r.Status,
        successCount = r.SuccessCount,
        failureCount = r.FailureCount,
        totalCount = r.TotalCount,
    };

    private static object CountProjection(BatchResult<string> r) => new
    {
        completionReason = r.CompletionReason,
        successCount = r.SuccessCount,
        failureCount = r.FailureCount,
        totalCount = r.TotalCount,
    };

    internal sealed record KeyValue(string K);

    /// <summary>8-15: serializes v as the envelope {"wrapped": v} and unwraps it on deserialize.</summary>
    private sealed class EnvelopeSerDes : ISerDes<string>
    {
        public string? Serialize(string value, SerDesContext context) => new JsonObject { ["wrapped"] = value }.ToJsonString();

        public string Deserialize(string? payload, SerDesContext context)
            => JsonNode.Parse(payload ?? throw new JsonException("8-15: missing wrapped payload"))!["wrapped"]!.GetValue<string>();
    }
}
