using System.Text.Json.Nodes;
using Durable.Fluent.Serialization;
using Durable.Fluent.Tests.Conformance.Harness;

namespace Durable.Fluent.Tests.Conformance.Handlers;

/// <summary>Handlers of the `map` group (9-x).</summary>
internal static class MapHandlers
{
    private static readonly string[] XY = ["x", "y"];

    [Requirement("9-1")]
    public static ConformanceCase Basic() => ConformanceCase.Of(
        Workflow.For<string[]>()
            .Map("map", names => names, item => item.Then("greet", (name, _) => $"Hello, {name}!"), m => m.MaxConcurrency(1))
            .Select(r => r.Results)
            .Build());

    [Requirement("9-2")]
    public static ConformanceCase Unnamed() => ConformanceCase.Of(
        Workflow.For<int[]>()
            .Map(xs => xs, (x, _) => x * 2, m => m.MaxConcurrency(1))
            .Select(r => r.Results)
            .Build());

    [Requirement("9-3")]
    public static ConformanceCase ItemAndIndex() => ConformanceCase.Of(
        Workflow.For<int[]>()
            .Map("indexed", xs => xs, (x, i) => x + i, m => m.MaxConcurrency(1))
            .Select(r => r.Results)
            .Build());

    [Requirement("9-4")]
    public static ConformanceCase Empty() => ConformanceCase.Of(
        Workflow.For<int[]>()
            .Map("empty", xs => xs, (x, _) => x)
            .Select(r => r.Results)
            .Build());

    [Requirement("9-5")]
    public static ConformanceCase FailFast() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("failfast", _ => new[] { "ok", "fail", "ok" }, OkOrFail, m => m.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailureCount = 0 }))
            .Select(FullProjection)
            .Build());

    [Requirement("9-7")]
    public static ConformanceCase MinSuccessful() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("min-successful", _ => new[] { "i0", "i1", "i2", "i3" }, (_, _) => "done", m => m.MaxConcurrency(1).Completion(new CompletionConfig { MinSuccessful = 2 }))
            .Select(r => new { completionReason = r.CompletionReason, successCount = r.SuccessCount, totalCount = r.TotalCount })
            .Build());

    [Requirement("9-8")]
    public static ConformanceCase ToleratedWithinLimit() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("tolerated", _ => new[] { "ok", "fail", "ok" }, OkOrFail, m => m.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailureCount = 1 }))
            .Select(FullProjection)
            .Build());

    [Requirement("9-9")]
    public static ConformanceCase ToleratedExceeded() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("tolerated-exceeded", _ => new[] { "fail", "fail", "ok" }, OkOrFail, m => m.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailureCount = 1 }))
            .Select(r => new { completionReason = r.CompletionReason, successCount = r.SuccessCount, failureCount = r.FailureCount, totalCount = r.TotalCount })
            .Build());

    [Requirement("9-12")]
    public static ConformanceCase Flat() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("flat", _ => new[] { "fa", "fb" }, item => item.Then("echo", (x, _) => x), m => m.MaxConcurrency(1).Flat())
            .Select(r => r.Results)
            .Build());

    [Requirement("9-13")]
    public static ConformanceCase ItemNamer() => ConformanceCase.Of(
        Workflow.For<int[]>()
            .Map("named-items", xs => xs, (x, _) => x * 10, m => m.MaxConcurrency(1).ItemName((x, _) => $"item-{x}"))
            .Select(r => r.Results)
            .Build());

    [Requirement("9-14")]
    public static ConformanceCase ItemSerDes() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("serdes", _ => XY, (x, _) => x.ToUpperInvariant(), m => m.MaxConcurrency(1).ItemSerializer(new WrappedPrefixSerDes()))
            .Select(r => r.Results)
            .Build());

    [Requirement("9-16")]
    public static ConformanceCase LargeResult() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("large", _ => Enumerable.Range(0, 4), (i, _) => new string((char)('a' + i), 70_000), m => m.MaxConcurrency(1))
            .Select(r => new { successCount = r.SuccessCount, totalCount = r.TotalCount })
            .Build());

    [Requirement("9-17")]
    public static ConformanceCase WaitAfterMap() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("then-wait", _ => new[] { "a", "b" }, (x, _) => x.ToUpperInvariant(), m => m.MaxConcurrency(1))
            .Wait(TimeSpan.FromSeconds(1))
            .Select(r => r.Results)
            .Build());

    [Requirement("9-18")]
    public static ConformanceCase WaitAfterToleratedFailure() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("fail-then-wait", _ => new[] { "ok", "fail" }, OkOrFail, m => m.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailureCount = 1 }))
            .Wait(TimeSpan.FromSeconds(1))
            .Select(FullProjection)
            .Build());

    [Requirement("9-19")]
    public static ConformanceCase OperationSerDes() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("op-serde", _ => XY, (x, _) => x.ToUpperInvariant(), m => m.MaxConcurrency(1).SerializeWith(new OpSerDes()))
            .Select(r => r.Results)
            .Build());

    [Requirement("9-20")]
    public static ConformanceCase OperationSerDesAcrossReplay() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Map("op-serde-replay", _ => XY, (x, _) => x.ToUpperInvariant(), m => m.MaxConcurrency(1).SerializeWith(new OpSerDes()))
            .Wait(TimeSpan.FromSeconds(1))
            .Select(r => r.Results)
            .Build());

    /// <summary>Returns "ok" for the item "ok" and raises for any other item.</summary>
    private static string OkOrFail(string item, int index)
        => item == "ok" ? "ok" : throw new InvalidOperationException($"item {index} failed");

    private static object FullProjection(BatchResult<string> r) => new
    {
        completionReason = r.CompletionReason,
        status = r.Status,
        successCount = r.SuccessCount,
        failureCount = r.FailureCount,
        totalCount = r.TotalCount,
    };

    /// <summary>9-14: a real, non-identity per-item serializer writing the raw text "wrapped:X".</summary>
    private sealed class WrappedPrefixSerDes : ISerDes<string>
    {
        private const string Prefix = "wrapped:";

        public string? Serialize(string value, SerDesContext context) => Prefix + value;

        public string Deserialize(string? payload, SerDesContext context)
            => payload is not null && payload.StartsWith(Prefix, StringComparison.Ordinal)
                ? payload[Prefix.Length..]
                : throw new FormatException($"9-14: payload '{payload}' is not wrapped.");
    }

    /// <summary>9-19 / 9-20: an operation-level serializer for the whole map result: "OPSERDE:" + comma-joined results.</summary>
    private sealed class OpSerDes : ISerDes<BatchResult<string>>
    {
        private const string Prefix = "OPSERDE:";

        public string? Serialize(BatchResult<string> value, SerDesContext context) => Prefix + string.Join(",", value.Results);

        public BatchResult<string> Deserialize(string? payload, SerDesContext context)
        {
            if (payload is null || !payload.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw new FormatException($"9-19: payload '{payload}' is not an OPSERDE payload.");
            }

            var body = payload[Prefix.Length..];
            var values = body.Length == 0 ? [] : body.Split(',');
            return new BatchResult<string>(values.Select((v, i) => new BatchItem<string>(i, null, BatchItemStatus.Succeeded, v, null)), CompletionReason.AllCompleted);
        }
    }
}
