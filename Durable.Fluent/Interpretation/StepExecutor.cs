using Durable.Fluent.Checkpointing;
using Durable.Fluent.Definition;
using Durable.Fluent.Payloads;
using Durable.Fluent.Plugins;
using Durable.Fluent.Retries;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Runs a step node. Decision table per recorded status:
/// <list type="table">
/// <item><term>none</term><description>START (synchronous for at-most-once, queued for at-least-once), run attempt 1.</description></item>
/// <item><term>SUCCEEDED</term><description>return the recorded result; the body does not run.</description></item>
/// <item><term>FAILED</term><description>throw <see cref="StepFailedException"/> rebuilt from the recorded error.</description></item>
/// <item><term>PENDING</term><description>the retry timer has not fired: suspend.</description></item>
/// <item><term>READY</term><description>the retry timer fired: START and run attempt <c>Attempt + 1</c>.</description></item>
/// <item><term>STARTED</term><description>at-least-once: run again without a new START; at-most-once: the attempt was interrupted, ask the retry strategy.</description></item>
/// <item><term>other</term><description>non-deterministic replay.</description></item>
/// </list>
/// Before the body runs, the lane settles what it owes (the previous result's SUCCEED), so the body never starts on a value
/// that is not durable. The SUCCEED of the result is owed by the lane (synchronous mode, at-most-once steps) or pipelined
/// (<see cref="CheckpointMode.Pipelined"/>, at-least-once steps); RETRY and FAIL are synchronous.
/// </summary>
internal static class StepExecutor
{
    public static async ValueTask<NodeOutcome> ExecuteAsync(StepNode node, Frame frame, object? value)
    {
        var run = frame.Run;
        var id = frame.NextId();
        var name = Replay.Name(node, frame, value);
        var recorded = run.Find(id);
        var codec = node.Codec.Resolve(run.Json);
        var serdes = new SerDesContext(id, name, run.Arn);
        int attempt;

        if (recorded is null)
        {
            run.BeginNewOperation(id, name, OperationType.Step, OperationSubTypes.Step, frame.ParentId, attempt: 1);
            attempt = 1;
            await StartAsync(node, frame, id, name).ConfigureAwait(false);
        }
        else
        {
            Replay.CheckDeterminism(run, recorded, OperationType.Step, OperationSubTypes.Step, name, node);
            var finished = recorded.StepDetails?.Attempt ?? 0;
            switch (recorded.Status)
            {
                case OperationStatus.Succeeded:
                    if (node.PassesValueThrough)
                    {
                        return NodeOutcome.Done(value);
                    }

                    var recordedResult = recorded.StepDetails?.Result;
                    if (PayloadReference.IsReference(recordedResult))
                    {
                        recordedResult = await run.ResolveAsync(recordedResult, id, name).ConfigureAwait(false);
                    }

                    return NodeOutcome.Done(codec.Deserialize(recordedResult, serdes));
                case OperationStatus.Failed:
                    throw new StepFailedException(name, id, recorded.StepDetails?.Error ?? new ErrorObject { ErrorMessage = $"Step '{name}' failed." }, Math.Max(1, finished));
                case OperationStatus.Pending:
                    return NodeOutcome.Suspended;
                case OperationStatus.Ready:
                    run.EndReplay();
                    attempt = finished + 1;
                    await StartAsync(node, frame, id, name).ConfigureAwait(false);
                    break;
                case OperationStatus.Started when node.Semantics == StepSemantics.AtMostOncePerRetry:
                    run.EndReplay();
                    attempt = finished + 1;
                    return await HandleFailureAsync(node, frame, id, name, attempt, new StepInterruptedException(name, attempt)).ConfigureAwait(false);
                case OperationStatus.Started:
                    run.EndReplay();
                    attempt = finished + 1;
                    break;
                default:
                    throw new NonDeterministicExecutionException($"Step '{name}' ({id}) is recorded with status {recorded.Status}, which a step cannot have.");
            }
        }

        // The body may only start on durable values: whatever this lane still owes (the previous step's SUCCEED) is sent now,
        // together with this step's queued START.
        await run.Batcher.SettleAsync(frame.Lane, run.Cancellation).ConfigureAwait(false);
        object? result;
        AttemptInfo? started = null;
        using var attemptTimeout = node.Timeout is { } limit ? new CancellationTokenSource(limit, run.Time) : null;
        using var linked = attemptTimeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(run.Cancellation, attemptTimeout.Token);
        var token = linked?.Token ?? run.Cancellation;
        try
        {
            var ctx = new StepContext(
                frame.Input,
                id,
                name,
                attempt,
                new OperationLogger(run.StepLogger, run.Arn, id, name, attempt),
                run.Arn,
                token)
            { Frame = frame };
            run.ThrowIfAborted(); // the last gate before user code: nothing starts once the invocation is ending
            started = run.AttemptStarted(id, name, OperationType.Step, OperationSubTypes.Step, frame.ParentId, attempt, isReplay: recorded is not null);
            run.RunOptions.BeforeStepBody?.Invoke(ctx);
            run.Batcher.EnterUserCode();
            try
            {
                result = await node.Body(value, ctx, token).ConfigureAwait(false);
            }
            finally
            {
                run.Batcher.ExitUserCode();
            }

            run.AttemptEnded(started, OperationStatus.Succeeded);
        }
        catch (Exception ex) when (!IsFatal(ex, run))
        {
            var error = ex is OperationCanceledException && attemptTimeout?.IsCancellationRequested == true
                ? new StepTimedOutException(name, node.Timeout!.Value, attempt, ex)
                : ex;
            run.AttemptEnded(started, OperationStatus.Failed, ErrorObjects.From(error));
            return await HandleFailureAsync(node, frame, id, name, attempt, error).ConfigureAwait(false);
        }

        if (node.PassesValueThrough)
        {
            await SucceedAsync(node, frame, Update(frame, id, name, OperationAction.Succeed)).ConfigureAwait(false);
            return NodeOutcome.Done(value);
        }

        string? payload;
        string? checkpointed;
        try
        {
            payload = codec.Serialize(result, serdes);
            checkpointed = await run.OffloadAsync(payload, id).ConfigureAwait(false);
            Limits.EnsurePayload(checkpointed, name);
        }
        catch (Exception ex) when (!IsFatal(ex, run))
        {
            // A result that cannot be checkpointed is not transient: fail the step without retrying.
            await run.Batcher.CheckpointAsync(Update(frame, id, name, OperationAction.Fail) with { Error = ErrorObjects.From(ex) }, run.Cancellation).ConfigureAwait(false);
            throw new StepFailedException(name, id, ErrorObjects.From(ex), attempt, ex);
        }

        await SucceedAsync(node, frame, Update(frame, id, name, OperationAction.Succeed) with { Payload = checkpointed }).ConfigureAwait(false);
        return NodeOutcome.Done(codec.Deserialize(payload, serdes));
    }

    /// <summary>
    /// Records the step's SUCCEED. Synchronous mode (and every at-most-once step): the lane owes it — the result is passed on
    /// at once and the SUCCEED is acknowledged before the lane next runs user code. Pipelined mode, at-least-once: it is sent
    /// in the background, within the pipeline window.
    /// </summary>
    private static Task SucceedAsync(StepNode node, Frame frame, OperationUpdate succeed)
    {
        var run = frame.Run;
        if (run.Pipelined && node.Semantics == StepSemantics.AtLeastOncePerRetry)
        {
            return run.Batcher.PipelineAsync(succeed, run.Cancellation);
        }

        run.Batcher.Defer(frame.Lane, succeed);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Whether <paramref name="ex"/> must end the invocation rather than be recorded as an operation's failure or handled by
    /// the workflow: the interpreter's own errors, and any error once the run is aborted or cancelled (it is a consequence).
    /// </summary>
    internal static bool IsFatal(Exception ex, ExecutionRun run)
        => ex is InvocationTerminatedException or NonDeterministicExecutionException or CheckpointException or OperationLimitExceededException
            || run.IsAborted;

    private static async Task StartAsync(StepNode node, Frame frame, string id, string? name)
    {
        var update = Update(frame, id, name, OperationAction.Start);
        var batcher = frame.Run.Batcher;
        if (node.Semantics == StepSemantics.AtMostOncePerRetry)
        {
            await batcher.CheckpointAsync(update, frame.Run.Cancellation).ConfigureAwait(false);
            return;
        }

        // At-least-once: the START needs no acknowledgement. What the lane owes (the previous step's SUCCEED) is settled
        // first, without it, so the START rides with this step's own SUCCEED (one operation in the response, not two) —
        // or is sent in the background if the body is still running after StartSendDelay.
        await batcher.SettleAsync(frame.Lane, frame.Run.Cancellation).ConfigureAwait(false);
        batcher.EnqueueSoon(update, StartSendDelay);
    }

    /// <summary>How long an at-least-once step's START may wait for the step's SUCCEED to ride with before it is sent alone.</summary>
    internal static readonly TimeSpan StartSendDelay = TimeSpan.FromMilliseconds(100);

    private static async ValueTask<NodeOutcome> HandleFailureAsync(StepNode node, Frame frame, string id, string? name, int attempt, Exception error)
    {
        var run = frame.Run;
        var strategy = node.Retry ?? run.DefaultRetry;
        var decision = strategy.Decide(new RetryContext(error, attempt, name));
        var errorObject = ErrorObjects.From(error);
        if (decision.ShouldRetry)
        {
            var delay = Math.Clamp(decision.DelaySeconds, 1, DefinitionValidator.MaxDurationSeconds);
            run.RetryScheduled(id, OperationSubTypes.Step, delay);
            run.Logger.LogDebug("Step {StepName} attempt {Attempt} failed with {ErrorType}; retrying in {Delay} s.", name, attempt, errorObject.ErrorType, delay);
            await run.Batcher.CheckpointAsync(
                Update(frame, id, name, OperationAction.Retry) with { Error = errorObject, StepOptions = new StepOptions { NextAttemptDelaySeconds = delay } },
                run.Cancellation).ConfigureAwait(false);
            return NodeOutcome.Suspended;
        }

        await run.Batcher.CheckpointAsync(Update(frame, id, name, OperationAction.Fail) with { Error = errorObject }, run.Cancellation).ConfigureAwait(false);
        throw new StepFailedException(name, id, errorObject, attempt, error);
    }

    private static OperationUpdate Update(Frame frame, string id, string? name, OperationAction action)
        => frame.Update(id, name, OperationType.Step, OperationSubTypes.Step, action);
}
