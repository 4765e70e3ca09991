using Durable.Fluent.Definition;
using Durable.Fluent.Plugins;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Runs a wait-for-condition (STEP, SubType WaitForCondition). One poll per invocation; decision table per recorded status:
/// <list type="table">
/// <item><term>none</term><description>queued START, poll 1 from the initial state.</description></item>
/// <item><term>SUCCEEDED</term><description>return the recorded state; the check does not run.</description></item>
/// <item><term>FAILED</term><description>throw <see cref="WaitForConditionFailedException"/> rebuilt from the recorded error.</description></item>
/// <item><term>PENDING</term><description>the poll delay has not passed: suspend.</description></item>
/// <item><term>READY</term><description>queued START, poll <c>Attempt + 1</c> from the recorded state.</description></item>
/// <item><term>STARTED</term><description>poll <c>Attempt + 1</c> from the recorded state without a new START.</description></item>
/// </list>
/// After the check: Stop → SUCCEED{Payload=state} owed by the lane (acknowledged before it next runs user code); Continue → synchronous RETRY{Payload=state,
/// NextAttemptDelaySeconds} with no Error, then suspend; the check or the strategy throws → synchronous FAIL{Error with
/// ErrorData = last state} and <see cref="WaitForConditionFailedException"/>.
/// </summary>
internal static class WaitForConditionExecutor
{
    public static async ValueTask<NodeOutcome> ExecuteAsync(WaitForConditionNode node, Frame frame, object? value)
    {
        var run = frame.Run;
        var id = frame.NextId();
        var name = Replay.Name(node, frame, value);
        var recorded = run.Find(id);
        var codec = node.StateCodec.Resolve(run.Json);
        var serdes = new SerDesContext(id, name, run.Arn);
        int attempt;
        object? state;

        if (recorded is null)
        {
            run.BeginNewOperation(id, name, OperationType.Step, OperationSubTypes.WaitForCondition, frame.ParentId, attempt: 1);
            attempt = 1;
            state = node.InitialState(value);
            run.Batcher.Enqueue(Update(frame, id, name, OperationAction.Start));
        }
        else
        {
            Replay.CheckDeterminism(run, recorded, OperationType.Step, OperationSubTypes.WaitForCondition, name, node.Describe());
            var finished = recorded.StepDetails?.Attempt ?? 0;
            switch (recorded.Status)
            {
                case OperationStatus.Succeeded:
                    return NodeOutcome.Done(codec.Deserialize(await run.ResolveAsync(recorded.StepDetails?.Result, id, name).ConfigureAwait(false), serdes));
                case OperationStatus.Failed:
                    throw new WaitForConditionFailedException(name, id, recorded.StepDetails?.Error ?? new ErrorObject { ErrorMessage = $"Wait-for-condition '{name}' failed." }, Math.Max(1, finished));
                case OperationStatus.Pending:
                    return NodeOutcome.Suspended;
                case OperationStatus.Ready:
                case OperationStatus.Started:
                    run.EndReplay();
                    attempt = finished + 1;
                    state = recorded.StepDetails?.Result is { } r ? codec.Deserialize(await run.ResolveAsync(r, id, name).ConfigureAwait(false), serdes) : node.InitialState(value);
                    if (recorded.Status == OperationStatus.Ready)
                    {
                        run.Batcher.Enqueue(Update(frame, id, name, OperationAction.Start));
                    }

                    break;
                default:
                    throw new NonDeterministicExecutionException($"Wait-for-condition '{name}' ({id}) is recorded with status {recorded.Status}, which it cannot have.");
            }
        }

        // The check only starts on durable values (and the queued START rides with what the lane owes).
        await run.Batcher.SettleAsync(frame.Lane, run.Cancellation).ConfigureAwait(false);
        object? next = state;
        Retries.WaitDecision decision;
        AttemptInfo? started = null;
        try
        {
            var ctx = new StepContext(
                frame.Input,
                id,
                name,
                attempt,
                new OperationLogger(run.RunOptions.LoggerFactory.CreateLogger("Durable.Fluent.Step"), new Dictionary<string, object?>
                {
                    ["durableExecutionArn"] = run.Arn,
                    ["operationId"] = id,
                    ["operationName"] = name,
                    ["attempt"] = attempt,
                }),
                run.Arn,
                run.Cancellation)
            { Frame = frame };
            run.ThrowIfAborted(); // the last gate before user code
            started = run.AttemptStarted(id, name, OperationType.Step, OperationSubTypes.WaitForCondition, frame.ParentId, attempt, isReplay: recorded is not null);
            run.Batcher.EnterUserCode();
            try
            {
                next = await node.Check(state, ctx, run.Cancellation).ConfigureAwait(false);
            }
            finally
            {
                run.Batcher.ExitUserCode();
            }

            decision = node.Decide(next, attempt, frame.Input);
            run.AttemptEnded(started, OperationStatus.Succeeded);
        }
        catch (Exception ex) when (!StepExecutor.IsFatal(ex, run))
        {
            var error = ErrorObjects.From(ex) with { ErrorData = TrySerialize(codec, next, serdes) };
            run.AttemptEnded(started, OperationStatus.Failed, error);
            await run.Batcher.CheckpointAsync(Update(frame, id, name, OperationAction.Fail) with { Error = error }, run.Cancellation).ConfigureAwait(false);
            throw new WaitForConditionFailedException(name, id, error, attempt, ex);
        }

        var payload = codec.Serialize(next, serdes);
        var checkpointed = await run.OffloadAsync(payload, id).ConfigureAwait(false);
        Limits.EnsurePayload(checkpointed, name);
        if (!decision.ShouldContinue)
        {
            run.Batcher.Defer(frame.Lane, Update(frame, id, name, OperationAction.Succeed) with { Payload = checkpointed });
            return NodeOutcome.Done(codec.Deserialize(payload, serdes));
        }

        var delay = Math.Clamp(decision.DelaySeconds, 1, DefinitionValidator.MaxDurationSeconds);
        await run.Batcher.CheckpointAsync(
            Update(frame, id, name, OperationAction.Retry) with { Payload = checkpointed, StepOptions = new StepOptions { NextAttemptDelaySeconds = delay } },
            run.Cancellation).ConfigureAwait(false);
        return NodeOutcome.Suspended;
    }

    private static string? TrySerialize(PayloadCodec codec, object? state, SerDesContext serdes)
    {
        try
        {
            return codec.Serialize(state, serdes);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static OperationUpdate Update(Frame frame, string id, string? name, OperationAction action)
        => frame.Update(id, name, OperationType.Step, OperationSubTypes.WaitForCondition, action);
}
