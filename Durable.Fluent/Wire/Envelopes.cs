using System.Text.Json.Serialization;

namespace Durable.Fluent.Wire;

/// <summary>What the Lambda service passes to a durable function handler.</summary>
public sealed record DurableExecutionInvocationInput
{
    /// <summary>The execution ARN.</summary>
    [JsonPropertyName("DurableExecutionArn")]
    public string? DurableExecutionArn { get; init; }

    /// <summary>The token for the first checkpoint of this invocation.</summary>
    [JsonPropertyName("CheckpointToken")]
    public string? CheckpointToken { get; init; }

    /// <summary>The first page of the execution state.</summary>
    [JsonPropertyName("InitialExecutionState")]
    public ExecutionState? InitialExecutionState { get; init; }

    /// <summary>Ids of operations the service changed since the previous invocation.</summary>
    [JsonPropertyName("UpdatedOperationIds")]
    public IReadOnlyList<string>? UpdatedOperationIds { get; init; }
}

/// <summary>A page of execution state.</summary>
public sealed record ExecutionState
{
    /// <summary>The operations of this page.</summary>
    [JsonPropertyName("Operations")]
    public IReadOnlyList<Operation>? Operations { get; init; }

    /// <summary>The marker of the next page; empty or absent on the last page.</summary>
    [JsonPropertyName("NextMarker")]
    public string? NextMarker { get; init; }
}

/// <summary>What a durable function handler returns to the Lambda service.</summary>
public sealed record DurableExecutionInvocationOutput
{
    /// <summary>SUCCEEDED, FAILED or PENDING.</summary>
    [JsonPropertyName("Status")]
    public InvocationStatus Status { get; init; }

    /// <summary>The serialized result (SUCCEEDED only; omitted when null).</summary>
    [JsonPropertyName("Result")]
    public string? Result { get; init; }

    /// <summary>The error (FAILED only).</summary>
    [JsonPropertyName("Error")]
    public ErrorObject? Error { get; init; }
}
