using System.Text.Json.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Checkpointing.Http;

/// <summary>The answer to GetDurableExecution.</summary>
public sealed record GetDurableExecutionResponse
{
    /// <summary>The execution ARN.</summary>
    [JsonPropertyName("DurableExecutionArn")]
    public string? DurableExecutionArn { get; init; }

    /// <summary>The execution name.</summary>
    [JsonPropertyName("DurableExecutionName")]
    public string? DurableExecutionName { get; init; }

    /// <summary>The ARN of the function that runs the execution.</summary>
    [JsonPropertyName("FunctionArn")]
    public string? FunctionArn { get; init; }

    /// <summary>The execution input, as JSON text.</summary>
    [JsonPropertyName("InputPayload")]
    public string? InputPayload { get; init; }

    /// <summary>The result, once SUCCEEDED.</summary>
    [JsonPropertyName("Result")]
    public string? Result { get; init; }

    /// <summary>The error, once FAILED, TIMED_OUT or STOPPED.</summary>
    [JsonPropertyName("Error")]
    public ErrorObject? Error { get; init; }

    /// <summary>When the execution started.</summary>
    [JsonPropertyName("StartTimestamp")]
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? StartTimestamp { get; init; }

    /// <summary>The execution status.</summary>
    [JsonPropertyName("Status")]
    public ExecutionStatus Status { get; init; }

    /// <summary>When the execution ended.</summary>
    [JsonPropertyName("EndTimestamp")]
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? EndTimestamp { get; init; }

    /// <summary>The function version that runs the execution.</summary>
    [JsonPropertyName("Version")]
    public string? Version { get; init; }

    /// <summary>The X-Ray trace header of the execution.</summary>
    [JsonPropertyName("TraceHeader")]
    public DurableExecutionTraceHeader? TraceHeader { get; init; }

    /// <summary>Whether the input, result and error payloads are included: <see langword="false"/> when the request set
    /// <c>IncludeExecutionData</c> to <see langword="false"/>.</summary>
    [JsonPropertyName("ExecutionDataIncluded")]
    public bool? ExecutionDataIncluded { get; init; }

    /// <summary>The durable configuration the execution runs under: its execution timeout and retention period.</summary>
    [JsonPropertyName("DurableConfig")]
    public DurableConfig? DurableConfig { get; init; }
}

/// <summary>The durable configuration of a function, as GetDurableExecution reports it for one execution.</summary>
public sealed record DurableConfig
{
    /// <summary>The ARN of the KMS key that encrypts the execution's data, when one is configured.</summary>
    [JsonPropertyName("KMSKeyArn")]
    public string? KMSKeyArn { get; init; }

    /// <summary>How many days the execution is kept once it has ended (1–90).</summary>
    [JsonPropertyName("RetentionPeriodInDays")]
    public int? RetentionPeriodInDays { get; init; }

    /// <summary>The execution timeout in seconds (1–31,622,400).</summary>
    [JsonPropertyName("ExecutionTimeout")]
    public int? ExecutionTimeout { get; init; }
}

/// <summary>The trace header of an execution.</summary>
public sealed record DurableExecutionTraceHeader
{
    /// <summary>The <c>X-Amzn-Trace-Id</c> value.</summary>
    [JsonPropertyName("XAmznTraceId")]
    public string? XAmznTraceId { get; init; }
}

/// <summary>One page of GetDurableExecutionHistory.</summary>
public sealed record GetDurableExecutionHistoryResponse
{
    /// <summary>The events of this page, in the requested order.</summary>
    [JsonPropertyName("Events")]
    public IReadOnlyList<HistoryEvent> Events { get; init; } = [];

    /// <summary>The marker of the next page; absent on the last page.</summary>
    [JsonPropertyName("NextMarker")]
    public string? NextMarker { get; init; }
}

/// <summary>The answer to StopDurableExecution.</summary>
public sealed record StopDurableExecutionResponse
{
    /// <summary>When the execution was stopped.</summary>
    [JsonPropertyName("StopTimestamp")]
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? StopTimestamp { get; init; }
}

/// <summary>Filters and paging of ListDurableExecutionsByFunction; every member is optional.</summary>
public sealed record ListDurableExecutionsByFunctionQuery
{
    /// <summary>A version or alias of the function.</summary>
    public string? Qualifier { get; init; }

    /// <summary>Only executions with this name.</summary>
    public string? DurableExecutionName { get; init; }

    /// <summary>Only executions in one of these statuses (1–10 values).</summary>
    public IReadOnlyList<ExecutionStatus>? Statuses { get; init; }

    /// <summary>Only executions started after this time.</summary>
    public DateTimeOffset? StartedAfter { get; init; }

    /// <summary>Only executions started before this time.</summary>
    public DateTimeOffset? StartedBefore { get; init; }

    /// <summary>Newest first when <see langword="true"/>.</summary>
    public bool? ReverseOrder { get; init; }

    /// <summary>The marker of the page to read.</summary>
    public string? Marker { get; init; }

    /// <summary>The page size (0–1000; the service default is 100).</summary>
    public int? MaxItems { get; init; }
}

/// <summary>One page of ListDurableExecutionsByFunction.</summary>
public sealed record ListDurableExecutionsByFunctionResponse
{
    /// <summary>The executions of this page.</summary>
    [JsonPropertyName("DurableExecutions")]
    public IReadOnlyList<DurableExecutionSummary> DurableExecutions { get; init; } = [];

    /// <summary>The marker of the next page; absent on the last page.</summary>
    [JsonPropertyName("NextMarker")]
    public string? NextMarker { get; init; }
}

/// <summary>One execution in a ListDurableExecutionsByFunction page.</summary>
public sealed record DurableExecutionSummary
{
    /// <summary>The execution ARN.</summary>
    [JsonPropertyName("DurableExecutionArn")]
    public string? DurableExecutionArn { get; init; }

    /// <summary>The execution name.</summary>
    [JsonPropertyName("DurableExecutionName")]
    public string? DurableExecutionName { get; init; }

    /// <summary>The ARN of the function that runs the execution.</summary>
    [JsonPropertyName("FunctionArn")]
    public string? FunctionArn { get; init; }

    /// <summary>The execution status.</summary>
    [JsonPropertyName("Status")]
    public ExecutionStatus Status { get; init; }

    /// <summary>When the execution started.</summary>
    [JsonPropertyName("StartTimestamp")]
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? StartTimestamp { get; init; }

    /// <summary>When the execution ended.</summary>
    [JsonPropertyName("EndTimestamp")]
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? EndTimestamp { get; init; }

    /// <summary>The ARN of the KMS key that encrypts the execution's data, when one is configured.</summary>
    [JsonPropertyName("KMSKeyArn")]
    public string? KMSKeyArn { get; init; }
}
