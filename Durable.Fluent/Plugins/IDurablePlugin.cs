using Durable.Fluent.Wire;

namespace Durable.Fluent.Plugins;

/// <summary>
/// Observes an execution: invocations, operations, attempts and checkpoint changes. Register plugins with
/// <see cref="WorkflowOptions.Plugins"/> (travels with the definition) or <see cref="DurableRunOptions.Plugins"/> (per host).
/// Every hook has an empty default, so implement only what you need. A hook that throws is logged and ignored: a faulty
/// plugin never changes the execution or blocks other plugins. Hooks run on the interpreter's threads; keep them fast.
/// </summary>
public interface IDurablePlugin
{
    /// <summary>An invocation starts, before any workflow code runs.</summary>
    /// <param name="info">The invocation.</param>
    void OnInvocationStart(InvocationStartInfo info)
    {
    }

    /// <summary>An invocation ends, after its outcome is final (checkpoints flushed).</summary>
    /// <param name="info">The invocation and its outcome.</param>
    void OnInvocationEnd(InvocationEndInfo info)
    {
    }

    /// <summary>
    /// An operation is started live (<see cref="OperationInfo.IsReplay"/> false), or a previously checkpointed operation
    /// that has not finished is observed again on replay (true). Finished operations are not re-announced on replay.
    /// </summary>
    /// <param name="info">The operation.</param>
    void OnOperationStart(OperationInfo info)
    {
    }

    /// <summary>An operation reached a terminal status: by this invocation's checkpoint, or by the service (a timer, a callback) since the last invocation.</summary>
    /// <param name="info">The operation in its terminal state.</param>
    void OnOperationEnd(OperationInfo info)
    {
    }

    /// <summary>A step attempt's body, or a context's function, starts running.</summary>
    /// <param name="info">The attempt.</param>
    void OnAttemptStart(AttemptInfo info)
    {
    }

    /// <summary>A step attempt's body, or a context's function, finished (returned, threw or suspended).</summary>
    /// <param name="info">The attempt and its outcome.</param>
    void OnAttemptEnd(AttemptInfo info)
    {
    }

    /// <summary>A checkpoint response changed operations (the delta), shown with the full operation map.</summary>
    /// <param name="info">The change.</param>
    void OnOperationChange(OperationChangeInfo info)
    {
    }
}

/// <summary>What an invocation-start hook sees.</summary>
public record InvocationStartInfo
{
    /// <summary>The execution ARN.</summary>
    public required string DurableExecutionArn { get; init; }

    /// <summary>Whether this is the execution's first invocation (nothing but the EXECUTION operation in the state).</summary>
    public required bool IsFirstInvocation { get; init; }

    /// <summary>The Lambda request id, when known.</summary>
    public string? RequestId { get; init; }

    /// <summary>Every operation of the state, by id.</summary>
    public required IReadOnlyDictionary<string, Operation> Operations { get; init; }

    /// <summary>Operations the service changed since the previous invocation (timers fired, callbacks completed).</summary>
    public required IReadOnlyDictionary<string, Operation> UpdatedOperations { get; init; }

    /// <summary>When the execution started.</summary>
    public DateTimeOffset? ExecutionStartTimestamp { get; init; }
}

/// <summary>What an invocation-end hook sees.</summary>
public sealed record InvocationEndInfo : InvocationStartInfo
{
    /// <summary>SUCCEEDED, FAILED or PENDING.</summary>
    public required InvocationStatus Status { get; init; }

    /// <summary>Whether the execution ended (SUCCEEDED or FAILED).</summary>
    public bool IsTerminal => Status != InvocationStatus.Pending;

    /// <summary>The execution error, when it failed.</summary>
    public ErrorObject? ExecutionError { get; init; }
}

/// <summary>What an operation hook sees.</summary>
public sealed record OperationInfo
{
    /// <summary>The operation id.</summary>
    public required string Id { get; init; }

    /// <summary>The name.</summary>
    public string? Name { get; init; }

    /// <summary>The type.</summary>
    public required OperationType Type { get; init; }

    /// <summary>The sub-type.</summary>
    public string? SubType { get; init; }

    /// <summary>The enclosing context.</summary>
    public string? ParentId { get; init; }

    /// <summary>The status, when the operation has a checkpointed state.</summary>
    public OperationStatus? Status { get; init; }

    /// <summary>When it started (checkpointed).</summary>
    public DateTimeOffset? StartTimestamp { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndTimestamp { get; init; }

    /// <summary>The error, when it failed.</summary>
    public ErrorObject? Error { get; init; }

    /// <summary>The serialized result, when it succeeded.</summary>
    public string? Result { get; init; }

    /// <summary>For steps: the attempt (finished attempts for a terminal step; the attempt about to run otherwise).</summary>
    public int? Attempt { get; init; }

    /// <summary>Whether the operation was checkpointed by an earlier invocation.</summary>
    public required bool IsReplay { get; init; }

    /// <summary>Whether the operation waits on the service (a wait, callback, invoke or retry timer not yet done).</summary>
    public bool IsPending { get; init; }

    internal static OperationInfo From(Operation op, bool isReplay) => new()
    {
        Id = op.Id,
        Name = op.Name,
        Type = op.Type,
        SubType = op.SubType,
        ParentId = op.ParentId,
        Status = op.Status,
        StartTimestamp = op.StartTimestamp,
        EndTimestamp = op.EndTimestamp,
        Error = op.StepDetails?.Error ?? op.ContextDetails?.Error ?? op.CallbackDetails?.Error ?? op.ChainedInvokeDetails?.Error,
        Result = op.StepDetails?.Result ?? op.ContextDetails?.Result ?? op.CallbackDetails?.Result ?? op.ChainedInvokeDetails?.Result,
        Attempt = op.StepDetails?.Attempt,
        IsReplay = isReplay,
        IsPending = op.Status is OperationStatus.Started or OperationStatus.Pending && op.Type is not OperationType.Step and not OperationType.Context
            || op.Status == OperationStatus.Pending,
    };
}

/// <summary>What an attempt hook sees.</summary>
public sealed record AttemptInfo
{
    /// <summary>The operation id.</summary>
    public required string Id { get; init; }

    /// <summary>The name.</summary>
    public string? Name { get; init; }

    /// <summary>STEP for step attempts, CONTEXT for context functions.</summary>
    public required OperationType Type { get; init; }

    /// <summary>The sub-type.</summary>
    public string? SubType { get; init; }

    /// <summary>The enclosing context.</summary>
    public string? ParentId { get; init; }

    /// <summary>The attempt number (steps; 1 for contexts).</summary>
    public required int Attempt { get; init; }

    /// <summary>For contexts: whether the function re-runs so its checkpointed children replay.</summary>
    public bool IsReplayingChildren { get; init; }

    /// <summary>On end: SUCCEEDED or FAILED (null when the function suspended).</summary>
    public OperationStatus? Outcome { get; init; }

    /// <summary>On end: the error, when it failed.</summary>
    public ErrorObject? Error { get; init; }
}

/// <summary>What an operation-change hook sees.</summary>
/// <param name="DurableExecutionArn">The execution ARN.</param>
/// <param name="UpdatedOperations">The operations in the checkpoint response's delta, by id.</param>
/// <param name="Operations">The full operation map after the change, by id.</param>
public sealed record OperationChangeInfo(string DurableExecutionArn, IReadOnlyDictionary<string, Operation> UpdatedOperations, IReadOnlyDictionary<string, Operation> Operations);

/// <summary>
/// A convenient base for plugins: every hook is a virtual no-op, so a plugin overrides only what it needs (and the C#
/// compiler checks the signatures, which default interface methods do not).
/// </summary>
public abstract class DurablePlugin : IDurablePlugin
{
    /// <inheritdoc />
    public virtual void OnInvocationStart(InvocationStartInfo info)
    {
    }

    /// <inheritdoc />
    public virtual void OnInvocationEnd(InvocationEndInfo info)
    {
    }

    /// <inheritdoc />
    public virtual void OnOperationStart(OperationInfo info)
    {
    }

    /// <inheritdoc />
    public virtual void OnOperationEnd(OperationInfo info)
    {
    }

    /// <inheritdoc />
    public virtual void OnAttemptStart(AttemptInfo info)
    {
    }

    /// <inheritdoc />
    public virtual void OnAttemptEnd(AttemptInfo info)
    {
    }

    /// <inheritdoc />
    public virtual void OnOperationChange(OperationChangeInfo info)
    {
    }
}
