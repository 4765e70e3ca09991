using System.ComponentModel;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing;

/// <summary>
/// Replays a recorded execution history against a (possibly changed) workflow definition, without running any step body
/// or checkpointing anything: the CI check that new code still replays executions that are in flight, and a way to
/// reproduce a production execution locally. Feed it the <c>Events</c> of GetDurableExecutionHistory (with execution
/// data) — for example exported from the console or the AWS CLI, or <see cref="TestExecution{TOut}.History"/>.
/// </summary>
public static class HistoryReplayer
{
    /// <summary>Replays <paramref name="history"/> against <paramref name="workflow"/>.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="workflow">The definition to check (typically the new version).</param>
    /// <param name="history">The recorded events, EventId order.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>Whether the definition replays the history, and where it stopped.</returns>
    public static async Task<ReplayCheckResult> CheckAsync<TIn, TOut>(Workflow<TIn, TOut> workflow, IReadOnlyList<HistoryEvent> history, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(history);
        var operations = OperationsFromHistory(history);
        var execution = operations.FirstOrDefault(o => o.Type == OperationType.Execution)
            ?? throw new ArgumentException("The history has no ExecutionStarted event, so the execution input is unknown.", nameof(history));
        var arn = $"arn:aws:lambda:replay:000000000000:function:replay:$LATEST/durable-execution/replay/{execution.Id}";
        var input = new DurableExecutionInvocationInput
        {
            DurableExecutionArn = arn,
            CheckpointToken = "replay",
            InitialExecutionState = new ExecutionState { Operations = operations },
        };
        var store = new ReplayStore();
        var options = new DurableRunOptions
        {
            BeforeStepBody = ctx => throw new ReplayReachedNewWorkException($"step '{ctx.OperationName}' attempt {ctx.Attempt}"),
        };
        try
        {
            var output = await workflow.HandleAsync(input, store, options, cancellationToken).ConfigureAwait(false);
            var nonDeterministic = output.Error?.ErrorType == typeof(NonDeterministicExecutionException).FullName;
            return new ReplayCheckResult(
                Compatible: !nonDeterministic,
                Problem: nonDeterministic ? output.Error!.ErrorMessage : null,
                RecordedOperations: operations.Count - 1,
                ReachedNewWork: null,
                Outcome: output.Status,
                Error: nonDeterministic ? null : output.Error);
        }
        catch (ReplayReachedNewWorkException stop)
        {
            return new ReplayCheckResult(true, null, operations.Count - 1, stop.Message, null, null);
        }
    }

    /// <summary>Replays a history given as JSON: a GetDurableExecutionHistory response (<c>{"Events": [...]}</c>) or an event array.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="workflow">The definition to check.</param>
    /// <param name="historyJson">The JSON text (REST timestamps: epoch seconds or milliseconds).</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>The result.</returns>
    public static Task<ReplayCheckResult> CheckAsync<TIn, TOut>(Workflow<TIn, TOut> workflow, string historyJson, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(historyJson);
        using var doc = JsonDocument.Parse(historyJson);
        var array = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("Events", out var events) ? events : doc.RootElement;
        var history = array.Deserialize(WireJson.Info<List<HistoryEvent>>(WireJson.Rest))
            ?? throw new ArgumentException("The JSON holds no history events.", nameof(historyJson));
        return CheckAsync(workflow, history, cancellationToken);
    }

    /// <summary>A history replays against <c>builder.Build()</c>. Reported as the compile error DF0003 (call <c>Build()</c>).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="builder">A builder (not accepted).</param>
    /// <param name="history">The recorded events.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<ReplayCheckResult> CheckAsync<TIn, TOut>(WorkflowBuilder<TIn, TOut> builder, IReadOnlyList<HistoryEvent> history, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A history replays against <c>builder.Build()</c>. Reported as the compile error DF0003 (call <c>Build()</c>).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="builder">A builder (not accepted).</param>
    /// <param name="historyJson">The JSON text.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<ReplayCheckResult> CheckAsync<TIn, TOut>(WorkflowBuilder<TIn, TOut> builder, string historyJson, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>Rebuilds each operation's last recorded state from history events (what the service would return as state).</summary>
    /// <param name="history">The events.</param>
    /// <returns>The operations, in the order they first appear; the EXECUTION operation first.</returns>
    public static IReadOnlyList<Operation> OperationsFromHistory(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var ops = new Dictionary<string, Operation>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var e in history.OrderBy(e => e.EventId))
        {
            if (e.Id is null || e.EventType == HistoryEventType.InvocationCompleted)
            {
                continue;
            }

            ops.TryGetValue(e.Id, out var op);
            var next = Apply(op, e);
            if (next is null)
            {
                continue;
            }

            if (op is null)
            {
                order.Add(e.Id);
            }

            ops[e.Id] = next;
        }

        return order.Select(id => ops[id]).ToList();
    }

    private static Operation? Apply(Operation? op, HistoryEvent e)
    {
        var d = e.Details;
        Operation Base(OperationType type) => op ?? new Operation { Id = e.Id!, ParentId = e.ParentId, Name = e.Name, Type = type, SubType = e.SubType, StartTimestamp = e.EventTimestamp };
        return e.EventType switch
        {
            HistoryEventType.ExecutionStarted => Base(OperationType.Execution) with { Status = OperationStatus.Started, Name = null, ExecutionDetails = new ExecutionDetails { InputPayload = d.Input?.Payload } },
            HistoryEventType.ExecutionSucceeded or HistoryEventType.ExecutionFailed or HistoryEventType.ExecutionTimedOut or HistoryEventType.ExecutionStopped => op,
            HistoryEventType.StepStarted => Base(OperationType.Step) with { Status = OperationStatus.Started, StepDetails = (op?.StepDetails ?? new StepDetails { Attempt = 0 }) },
            HistoryEventType.StepSucceeded when d.RetryDetails?.NextAttemptDelaySeconds is not null =>
                Base(OperationType.Step) with { Status = OperationStatus.Ready, StepDetails = new StepDetails { Attempt = d.RetryDetails.CurrentAttempt, Result = d.Result?.Payload } },
            HistoryEventType.StepSucceeded =>
                Base(OperationType.Step) with { Status = OperationStatus.Succeeded, EndTimestamp = e.EventTimestamp, StepDetails = new StepDetails { Attempt = d.RetryDetails?.CurrentAttempt ?? 1, Result = d.Result?.Payload } },
            HistoryEventType.StepFailed when d.RetryDetails?.NextAttemptDelaySeconds is not null =>
                Base(OperationType.Step) with { Status = OperationStatus.Ready, StepDetails = new StepDetails { Attempt = d.RetryDetails.CurrentAttempt, Error = d.Error?.Payload } },
            HistoryEventType.StepFailed =>
                Base(OperationType.Step) with { Status = OperationStatus.Failed, EndTimestamp = e.EventTimestamp, StepDetails = new StepDetails { Attempt = d.RetryDetails?.CurrentAttempt ?? 1, Error = d.Error?.Payload } },
            HistoryEventType.WaitStarted => Base(OperationType.Wait) with { Status = OperationStatus.Started, WaitDetails = new WaitDetails { ScheduledEndTimestamp = d.ScheduledEndTimestamp } },
            HistoryEventType.WaitSucceeded => Base(OperationType.Wait) with { Status = OperationStatus.Succeeded, EndTimestamp = e.EventTimestamp },
            HistoryEventType.WaitCancelled => Base(OperationType.Wait) with { Status = OperationStatus.Cancelled, EndTimestamp = e.EventTimestamp },
            HistoryEventType.ContextStarted => Base(OperationType.Context) with { Status = OperationStatus.Started, ContextDetails = new ContextDetails() },
            HistoryEventType.ContextSucceeded => Base(OperationType.Context) with
            {
                Status = OperationStatus.Succeeded,
                EndTimestamp = e.EventTimestamp,
                // A context checkpointed with ReplayChildren carries an empty (or summary-only) payload.
                ContextDetails = new ContextDetails { Result = d.Result?.Payload, ReplayChildren = string.IsNullOrEmpty(d.Result?.Payload) && d.Result is not null ? true : null },
            },
            HistoryEventType.ContextFailed => Base(OperationType.Context) with { Status = OperationStatus.Failed, EndTimestamp = e.EventTimestamp, ContextDetails = new ContextDetails { Error = d.Error?.Payload } },
            HistoryEventType.CallbackStarted => Base(OperationType.Callback) with { Status = OperationStatus.Started, CallbackDetails = new CallbackDetails { CallbackId = d.CallbackId } },
            HistoryEventType.CallbackSucceeded => Base(OperationType.Callback) with { Status = OperationStatus.Succeeded, EndTimestamp = e.EventTimestamp, CallbackDetails = (op?.CallbackDetails ?? new CallbackDetails()) with { Result = d.Result?.Payload } },
            HistoryEventType.CallbackFailed => Base(OperationType.Callback) with { Status = OperationStatus.Failed, EndTimestamp = e.EventTimestamp, CallbackDetails = (op?.CallbackDetails ?? new CallbackDetails()) with { Error = d.Error?.Payload } },
            HistoryEventType.CallbackTimedOut => Base(OperationType.Callback) with { Status = OperationStatus.TimedOut, EndTimestamp = e.EventTimestamp, CallbackDetails = (op?.CallbackDetails ?? new CallbackDetails()) with { Error = d.Error?.Payload } },
            HistoryEventType.ChainedInvokeStarted => Base(OperationType.ChainedInvoke) with { Status = OperationStatus.Started, ChainedInvokeDetails = new ChainedInvokeDetails() },
            HistoryEventType.ChainedInvokeSucceeded => Base(OperationType.ChainedInvoke) with { Status = OperationStatus.Succeeded, EndTimestamp = e.EventTimestamp, ChainedInvokeDetails = new ChainedInvokeDetails { Result = d.Result?.Payload } },
            HistoryEventType.ChainedInvokeFailed => Base(OperationType.ChainedInvoke) with { Status = OperationStatus.Failed, EndTimestamp = e.EventTimestamp, ChainedInvokeDetails = new ChainedInvokeDetails { Error = d.Error?.Payload } },
            HistoryEventType.ChainedInvokeTimedOut => Base(OperationType.ChainedInvoke) with { Status = OperationStatus.TimedOut, EndTimestamp = e.EventTimestamp, ChainedInvokeDetails = new ChainedInvokeDetails { Error = d.Error?.Payload } },
            HistoryEventType.ChainedInvokeStopped => Base(OperationType.ChainedInvoke) with { Status = OperationStatus.Stopped, EndTimestamp = e.EventTimestamp, ChainedInvokeDetails = new ChainedInvokeDetails { Error = d.Error?.Payload } },
            _ => op,
        };
    }

    /// <summary>Accepts no checkpoint: the first new operation ends the replay (the definition has gone past the record).</summary>
    private sealed class ReplayStore : ICheckpointStore
    {
        public Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
        {
            var first = updates.FirstOrDefault();
            throw new ReplayReachedNewWorkException(first is null ? "a checkpoint" : $"{UpperSnakeEnumConverter<OperationType>.ToToken(first.Type)} '{first.Name ?? first.Id}' ({UpperSnakeEnumConverter<OperationAction>.ToToken(first.Action)})");
        }

        public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
            => Task.FromResult(new ExecutionState { Operations = [] });
    }

    private sealed class ReplayReachedNewWorkException(string where) : InvocationTerminatedException(where);
}

/// <summary>The outcome of replaying a recorded history against a definition.</summary>
/// <param name="Compatible">Whether the definition replays every recorded operation it reaches without a non-determinism error.</param>
/// <param name="Problem">The non-determinism error (which operation differs, and how), when not compatible.</param>
/// <param name="RecordedOperations">How many operations the history records (besides the execution itself).</param>
/// <param name="ReachedNewWork">Where the definition went past the record (the first new step, wait, callback, …), if it did.</param>
/// <param name="Outcome">The invocation's outcome when the whole workflow replayed from the record (the execution had finished).</param>
/// <param name="Error">The execution error the replay ended with, for a finished execution that failed.</param>
public sealed record ReplayCheckResult(bool Compatible, string? Problem, int RecordedOperations, string? ReachedNewWork, InvocationStatus? Outcome, ErrorObject? Error);
