using System.Text.Json.Serialization;

namespace Durable.Fluent.Wire;

/// <summary>One change sent in a CheckpointDurableExecution request.</summary>
public sealed record OperationUpdate
{
    /// <summary>The operation id.</summary>
    [JsonPropertyName("Id")]
    public required string Id { get; init; }

    /// <summary>The enclosing CONTEXT id; absent at the root.</summary>
    [JsonPropertyName("ParentId")]
    public string? ParentId { get; init; }

    /// <summary>The operation name.</summary>
    [JsonPropertyName("Name")]
    public string? Name { get; init; }

    /// <summary>The operation type.</summary>
    [JsonPropertyName("Type")]
    public required OperationType Type { get; init; }

    /// <summary>The sub-type (see <see cref="OperationSubTypes"/>).</summary>
    [JsonPropertyName("SubType")]
    public string? SubType { get; init; }

    /// <summary>The action.</summary>
    [JsonPropertyName("Action")]
    public required OperationAction Action { get; init; }

    /// <summary>The serialized result, state or input.</summary>
    [JsonPropertyName("Payload")]
    public string? Payload { get; init; }

    /// <summary>The error (FAIL, RETRY).</summary>
    [JsonPropertyName("Error")]
    public ErrorObject? Error { get; init; }

    /// <summary>Options of a CONTEXT update.</summary>
    [JsonPropertyName("ContextOptions")]
    public ContextOptions? ContextOptions { get; init; }

    /// <summary>Options of a STEP RETRY.</summary>
    [JsonPropertyName("StepOptions")]
    public StepOptions? StepOptions { get; init; }

    /// <summary>Options of a WAIT START.</summary>
    [JsonPropertyName("WaitOptions")]
    public WaitOptions? WaitOptions { get; init; }

    /// <summary>Options of a CALLBACK START.</summary>
    [JsonPropertyName("CallbackOptions")]
    public CallbackOptions? CallbackOptions { get; init; }

    /// <summary>Options of a CHAINED_INVOKE START.</summary>
    [JsonPropertyName("ChainedInvokeOptions")]
    public ChainedInvokeOptions? ChainedInvokeOptions { get; init; }
}

/// <summary>Options of a CONTEXT update.</summary>
public sealed record ContextOptions
{
    /// <summary>Whether the children must be replayed to rebuild the result.</summary>
    [JsonPropertyName("ReplayChildren")]
    public bool? ReplayChildren { get; init; }
}

/// <summary>Options of a STEP RETRY.</summary>
public sealed record StepOptions
{
    /// <summary>Seconds until the next attempt (1..31,622,400).</summary>
    [JsonPropertyName("NextAttemptDelaySeconds")]
    public int? NextAttemptDelaySeconds { get; init; }
}

/// <summary>Options of a WAIT START.</summary>
public sealed record WaitOptions
{
    /// <summary>Wait duration in seconds (1..31,622,400).</summary>
    [JsonPropertyName("WaitSeconds")]
    public int? WaitSeconds { get; init; }
}

/// <summary>Options of a CALLBACK START.</summary>
public sealed record CallbackOptions
{
    /// <summary>Overall timeout in seconds; 0 or absent means none.</summary>
    [JsonPropertyName("TimeoutSeconds")]
    public int? TimeoutSeconds { get; init; }

    /// <summary>Heartbeat timeout in seconds; 0 or absent means none.</summary>
    [JsonPropertyName("HeartbeatTimeoutSeconds")]
    public int? HeartbeatTimeoutSeconds { get; init; }
}

/// <summary>Options of a CHAINED_INVOKE START.</summary>
public sealed record ChainedInvokeOptions
{
    /// <summary>The target function name or ARN.</summary>
    [JsonPropertyName("FunctionName")]
    public string? FunctionName { get; init; }

    /// <summary>The tenant id, for tenant-isolated targets.</summary>
    [JsonPropertyName("TenantId")]
    public string? TenantId { get; init; }

    /// <summary>The X-Ray trace header (<c>X-Amzn-Trace-Id</c>) to start the target with, if any.</summary>
    [JsonPropertyName("XAmznTraceId")]
    public string? XAmznTraceId { get; init; }
}
