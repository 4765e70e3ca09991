using System.Text.Json.Serialization;

namespace Durable.Fluent.Wire;

/// <summary>A durable operation as the service returns it in execution state.</summary>
public sealed record Operation
{
    /// <summary>The operation id (1–64 characters of <c>[a-zA-Z0-9-_]</c>).</summary>
    [JsonPropertyName("Id")]
    public required string Id { get; init; }

    /// <summary>The id of the enclosing CONTEXT operation; absent at the root.</summary>
    [JsonPropertyName("ParentId")]
    public string? ParentId { get; init; }

    /// <summary>The operation name.</summary>
    [JsonPropertyName("Name")]
    public string? Name { get; init; }

    /// <summary>The operation type. Required on the wire: an operation without one is rejected rather than read as EXECUTION.</summary>
    [JsonPropertyName("Type")]
    [JsonRequired]
    public OperationType Type { get; init; }

    /// <summary>The operation sub-type (see <see cref="OperationSubTypes"/>).</summary>
    [JsonPropertyName("SubType")]
    public string? SubType { get; init; }

    /// <summary>The operation status. Required on the wire: an operation without one is rejected rather than read as STARTED.</summary>
    [JsonPropertyName("Status")]
    [JsonRequired]
    public OperationStatus Status { get; init; }

    /// <summary>When the operation started.</summary>
    [JsonPropertyName("StartTimestamp")]
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? StartTimestamp { get; init; }

    /// <summary>When the operation reached a terminal status.</summary>
    [JsonPropertyName("EndTimestamp")]
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? EndTimestamp { get; init; }

    /// <summary>Details of the EXECUTION operation.</summary>
    [JsonPropertyName("ExecutionDetails")]
    public ExecutionDetails? ExecutionDetails { get; init; }

    /// <summary>Details of a CONTEXT operation.</summary>
    [JsonPropertyName("ContextDetails")]
    public ContextDetails? ContextDetails { get; init; }

    /// <summary>Details of a STEP operation.</summary>
    [JsonPropertyName("StepDetails")]
    public StepDetails? StepDetails { get; init; }

    /// <summary>Details of a WAIT operation.</summary>
    [JsonPropertyName("WaitDetails")]
    public WaitDetails? WaitDetails { get; init; }

    /// <summary>Details of a CALLBACK operation.</summary>
    [JsonPropertyName("CallbackDetails")]
    public CallbackDetails? CallbackDetails { get; init; }

    /// <summary>Details of a CHAINED_INVOKE operation.</summary>
    [JsonPropertyName("ChainedInvokeDetails")]
    public ChainedInvokeDetails? ChainedInvokeDetails { get; init; }

    /// <summary>Whether <see cref="Status"/> is terminal (SUCCEEDED, FAILED, CANCELLED, TIMED_OUT or STOPPED).</summary>
    [JsonIgnore]
    public bool IsTerminal => Status is OperationStatus.Succeeded or OperationStatus.Failed
        or OperationStatus.Cancelled or OperationStatus.TimedOut or OperationStatus.Stopped;
}

/// <summary>Details of the EXECUTION operation.</summary>
public sealed record ExecutionDetails
{
    /// <summary>The execution input, as JSON text.</summary>
    [JsonPropertyName("InputPayload")]
    public string? InputPayload { get; init; }
}

/// <summary>Details of a CONTEXT operation.</summary>
public sealed record ContextDetails
{
    /// <summary>Whether the context's children must be replayed to rebuild its result (large results).</summary>
    [JsonPropertyName("ReplayChildren")]
    public bool? ReplayChildren { get; init; }

    /// <summary>The serialized result.</summary>
    [JsonPropertyName("Result")]
    public string? Result { get; init; }

    /// <summary>The error, when failed.</summary>
    [JsonPropertyName("Error")]
    public ErrorObject? Error { get; init; }
}

/// <summary>Details of a STEP operation.</summary>
public sealed record StepDetails
{
    /// <summary>The number of finished attempts; the current attempt is <c>Attempt + 1</c>.</summary>
    [JsonPropertyName("Attempt")]
    public int? Attempt { get; init; }

    /// <summary>When the next attempt becomes due (set while PENDING).</summary>
    [JsonPropertyName("NextAttemptTimestamp")]
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? NextAttemptTimestamp { get; init; }

    /// <summary>The serialized result (or wait-for-condition state).</summary>
    [JsonPropertyName("Result")]
    public string? Result { get; init; }

    /// <summary>The error of the last attempt.</summary>
    [JsonPropertyName("Error")]
    public ErrorObject? Error { get; init; }
}

/// <summary>Details of a WAIT operation.</summary>
public sealed record WaitDetails
{
    /// <summary>When the wait ends.</summary>
    [JsonPropertyName("ScheduledEndTimestamp")]
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? ScheduledEndTimestamp { get; init; }
}

/// <summary>Details of a CALLBACK operation.</summary>
public sealed record CallbackDetails
{
    /// <summary>The id the outside world uses to complete the callback.</summary>
    [JsonPropertyName("CallbackId")]
    public string? CallbackId { get; init; }

    /// <summary>The success payload.</summary>
    [JsonPropertyName("Result")]
    public string? Result { get; init; }

    /// <summary>The failure or timeout error.</summary>
    [JsonPropertyName("Error")]
    public ErrorObject? Error { get; init; }
}

/// <summary>Details of a CHAINED_INVOKE operation.</summary>
public sealed record ChainedInvokeDetails
{
    /// <summary>The invoked function's serialized result.</summary>
    [JsonPropertyName("Result")]
    public string? Result { get; init; }

    /// <summary>The invoked function's error.</summary>
    [JsonPropertyName("Error")]
    public ErrorObject? Error { get; init; }
}
