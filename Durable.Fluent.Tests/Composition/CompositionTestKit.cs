using Durable.Fluent.Serialization;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Composition;

internal static class Kit
{
    public static IReadOnlyList<HistoryEvent> Events<T>(TestExecution<T> ex)
        => ex.History.Where(e => e.EventType is not (HistoryEventType.ExecutionStarted or HistoryEventType.InvocationCompleted or HistoryEventType.ExecutionSucceeded or HistoryEventType.ExecutionFailed)).ToList();

    public static string Shape<T>(TestExecution<T> ex)
        => string.Join(", ", Events(ex).Select(e => $"{e.EventType}({e.SubType})"));

    public static Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, string>> Ok<TIn, TCur>(string value) => b => b.Select(_ => value);

    public static Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, string>> Fail<TIn, TCur>(string message = "boom")
        => b => b.Select<string>(_ => throw new InvalidOperationException(message));

    public static object Projection<T>(BatchResult<T> r) => new
    {
        completionReason = r.CompletionReason,
        status = r.Status,
        successCount = r.SuccessCount,
        failureCount = r.FailureCount,
        totalCount = r.TotalCount,
    };
}

/// <summary>8-15 / 9-14: a real, non-identity per-item serializer.</summary>
internal sealed class WrappingSerDes : ISerDes<string>
{
    public string? Serialize(string value, SerDesContext context) => "wrapped:" + value;

    public string Deserialize(string? payload, SerDesContext context) => payload!["wrapped:".Length..];
}

/// <summary>9-19 / 9-20: an operation-level serializer for the whole map result.</summary>
internal sealed class OpSerDes : ISerDes<BatchResult<string>>
{
    public string? Serialize(BatchResult<string> value, SerDesContext context) => "OPSERDE:" + string.Join(",", value.Results);

    public BatchResult<string> Deserialize(string? payload, SerDesContext context)
        => new(payload!["OPSERDE:".Length..].Split(',').Select((v, i) => new BatchItem<string>(i, null, BatchItemStatus.Succeeded, v, null)), CompletionReason.AllCompleted);
}
