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

/// <summary>
/// What an operation hook sees. The fields follow the peer SDKs' operation records (the Python SDK's <c>OperationInfo</c>):
/// identity (<see cref="Id"/>, <see cref="Name"/>, <see cref="Type"/>, <see cref="SubType"/>, <see cref="ParentId"/>), the
/// checkpointed state when there is one, and <see cref="IsReplay"/>.
/// </summary>
public sealed record OperationInfo
{
    /// <summary>The operation id (unique in the execution, stable across invocations).</summary>
    public required string Id { get; init; }

    /// <summary>The operation name, when the node has one.</summary>
    public string? Name { get; init; }

    /// <summary>The operation type (STEP, WAIT, CALLBACK, CHAINED_INVOKE, CONTEXT).</summary>
    public required OperationType Type { get; init; }

    /// <summary>The sub-type token (<c>Step</c>, <c>Wait</c>, <c>RunInChildContext</c>, <c>Map</c>, <c>MapIteration</c>, ...).</summary>
    public string? SubType { get; init; }

    /// <summary>The id of the enclosing context operation, or <see langword="null"/> at the top level.</summary>
    public string? ParentId { get; init; }

    /// <summary>The checkpointed status; <see langword="null"/> on a live start (nothing is checkpointed yet).</summary>
    public OperationStatus? Status { get; init; }

    /// <summary>
    /// When the operation started: the service's checkpointed start time when the operation has a checkpointed state; on a
    /// live start (<see cref="IsReplay"/> false), the time the interpreter started it, read from the run's
    /// <see cref="DurableRunOptions.TimeProvider"/>.
    /// </summary>
    public DateTimeOffset? StartTimestamp { get; init; }

    /// <summary>
    /// When the operation ended (terminal operations only): the service's checkpointed end time, or, when the service
    /// reported none, the time the interpreter observed the end, read from the run's <see cref="DurableRunOptions.TimeProvider"/>.
    /// </summary>
    public DateTimeOffset? EndTimestamp { get; init; }

    /// <summary>The checkpointed error, when the operation failed (or a step attempt failed and a retry is pending).</summary>
    public ErrorObject? Error { get; init; }

    /// <summary>The checkpointed (serialized) result, when the operation succeeded. An offloaded result is the reference.</summary>
    public string? Result { get; init; }

    /// <summary>
    /// Steps and wait-for-condition polls only: on a live start, the attempt about to run (1); otherwise the number of
    /// finished attempts the service recorded.
    /// </summary>
    public int? Attempt { get; init; }

    /// <summary>
    /// Whether the operation was already in the checkpoint log when this invocation reached it (the peer SDKs'
    /// <c>is_replayed</c>): true for an unfinished operation re-observed on replay and for an end the service recorded
    /// since the previous invocation (a timer fired, a callback completed); false for an operation this invocation
    /// started and for an end this invocation's own checkpoint produced.
    /// </summary>
    public required bool IsReplay { get; init; }

    /// <summary>Whether the operation waits on the service (a wait, callback, invoke or retry timer not yet done).</summary>
    public bool IsPending { get; init; }

    internal static OperationInfo From(Operation op, bool isReplay, DateTimeOffset? observedAt = null) => new()
    {
        Id = op.Id,
        Name = op.Name,
        Type = op.Type,
        SubType = op.SubType,
        ParentId = op.ParentId,
        Status = op.Status,
        StartTimestamp = op.StartTimestamp,
        EndTimestamp = op.EndTimestamp ?? (op.IsTerminal ? observedAt : null),
        Error = op.StepDetails?.Error ?? op.ContextDetails?.Error ?? op.CallbackDetails?.Error ?? op.ChainedInvokeDetails?.Error,
        Result = op.StepDetails?.Result ?? op.ContextDetails?.Result ?? op.CallbackDetails?.Result ?? op.ChainedInvokeDetails?.Result,
        Attempt = op.StepDetails?.Attempt,
        IsReplay = isReplay,
        IsPending = op.Status is OperationStatus.Started or OperationStatus.Pending && op.Type is not OperationType.Step and not OperationType.Context
            || op.Status == OperationStatus.Pending,
    };
}

/// <summary>
/// What an attempt hook sees: one run of user code of an operation — a step attempt's body, a wait-for-condition poll, or a
/// context's function (the peer SDKs' user-function records). The start hook gets <see cref="StartTimestamp"/>; the end hook
/// gets the same record with <see cref="EndTimestamp"/>, <see cref="Outcome"/> and <see cref="Error"/> filled in.
/// </summary>
public sealed record AttemptInfo
{
    /// <summary>The operation id.</summary>
    public required string Id { get; init; }

    /// <summary>The operation name, when it has one.</summary>
    public string? Name { get; init; }

    /// <summary>STEP for step attempts and wait-for-condition polls, CONTEXT for context functions.</summary>
    public required OperationType Type { get; init; }

    /// <summary>The sub-type token (<c>Step</c>, <c>WaitForCondition</c>, <c>RunInChildContext</c>, <c>MapIteration</c>, ...).</summary>
    public string? SubType { get; init; }

    /// <summary>The id of the enclosing context operation, or <see langword="null"/> at the top level.</summary>
    public string? ParentId { get; init; }

    /// <summary>The attempt number, from 1 (steps and polls count across invocations; always 1 for context functions).</summary>
    public required int Attempt { get; init; }

    /// <summary>
    /// Whether the operation was already in the checkpoint log when this run of user code began (the peer SDKs'
    /// <c>is_replayed</c> meaning): true for a retry attempt, for an at-least-once attempt re-run after an earlier
    /// invocation left it unfinished, and for a context function re-run so its checkpointed children replay; false for
    /// the first attempt of an operation this invocation started.
    /// </summary>
    public bool IsReplay { get; init; }

    /// <summary>
    /// Contexts only: whether the function re-runs so its checkpointed children replay — the context was started by an
    /// earlier invocation, or it succeeded with a result too large for its checkpoint (ReplayChildren) and re-runs to
    /// rebuild that result.
    /// </summary>
    public bool IsReplayingChildren { get; init; }

    /// <summary>When the user code started, read from the run's <see cref="DurableRunOptions.TimeProvider"/>.</summary>
    public DateTimeOffset StartTimestamp { get; init; }

    /// <summary>End hook only: when the user code returned, threw or suspended, from the same clock; null on the start hook.</summary>
    public DateTimeOffset? EndTimestamp { get; init; }

    /// <summary>End hook only: SUCCEEDED or FAILED; null when the function suspended (and on the start hook).</summary>
    public OperationStatus? Outcome { get; init; }

    /// <summary>End hook only: the error, when the attempt failed.</summary>
    public ErrorObject? Error { get; init; }

    /// <summary>The context re-runs only to rebuild a result too large for its checkpoint (SUCCEEDED with ReplayChildren).</summary>
    internal bool RebuildsResult { get; init; }
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
