using Durable.Fluent.Checkpointing;
using Durable.Fluent.Definition;
using Durable.Fluent.Payloads;
using Durable.Fluent.Plugins;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Runs a child context. New: START (queued), run the body in a child frame (ids prefixed by this operation's id), then
/// SUCCEED with the result (offloaded to the payload store above its threshold, when offload is on) — or, above 256 KiB
/// without offload, SUCCEED with an empty payload and ReplayChildren, so replay re-runs the body from its children's
/// checkpoints. SUCCEEDED: return the recorded result without running the body (unless ReplayChildren). FAILED: throw <see cref="ChildContextFailedException"/>. STARTED: run the body again, no new START.
/// The SUCCEED is owed by the lane (sent with its next checkpoint, acknowledged before it next runs user code); batch units
/// (map items, parallel branches) queue theirs (<c>queueSucceed</c>) so it is batched with the parent's.
/// </summary>
internal static class ChildExecutor
{
    public static ValueTask<NodeOutcome> ExecuteAsync(ChildNode node, Frame frame, object? value)
        => RunContextAsync(
            frame,
            value,
            Replay.Name(node, frame, value),
            node.SubType,
            node.Describe(),
            node.Codec,
            (child, v) => ChainRunner.RunAsync(node.Body, child, node.InputSelector is null ? v : node.InputSelector(v)),
            childInput: node.KeepsWorkflowInput ? frame.Input : node.InputSelector is null ? value : node.InputSelector(value));

    /// <summary>The shared CONTEXT protocol, used by child, wait-for-callback, parallel and map executors.</summary>
    public static async ValueTask<NodeOutcome> RunContextAsync(
        Frame frame,
        object? value,
        string? name,
        string subType,
        string label,
        CodecSpec codecSpec,
        Func<Frame, object?, ValueTask<NodeOutcome>> body,
        object? childInput,
        Func<object?, string?>? summary = null,
        string? id = null,
        bool queueSucceed = false,
        CheckpointLane? lane = null)
    {
        var run = frame.Run;
        id ??= frame.NextId();
        var recorded = run.Find(id);
        var codec = codecSpec.Resolve(run.Json);
        var serdes = new SerDesContext(id, name, run.Arn);
        var replayChildren = false;
        if (recorded is not null)
        {
            Replay.CheckDeterminism(run, recorded, OperationType.Context, subType, name, label);
            switch (recorded.Status)
            {
                case OperationStatus.Succeeded when recorded.ContextDetails?.ReplayChildren == true:
                    replayChildren = true;
                    break;
                case OperationStatus.Succeeded:
                    var recordedResult = recorded.ContextDetails?.Result;
                    if (PayloadReference.IsReference(recordedResult))
                    {
                        recordedResult = await run.ResolveAsync(recordedResult, id, name).ConfigureAwait(false);
                    }

                    return NodeOutcome.Done(codec.Deserialize(recordedResult, serdes));
                case OperationStatus.Failed:
                    throw new ChildContextFailedException(name, id, recorded.ContextDetails?.Error ?? new ErrorObject { ErrorMessage = $"Child context '{name}' failed." });
                case OperationStatus.Started:
                    break;
                default:
                    throw new NonDeterministicExecutionException($"Context '{name ?? id}' is recorded with status {recorded.Status}, which a context cannot have.");
            }
        }
        else
        {
            run.BeginNewOperation(id, name, OperationType.Context, subType, frame.ParentId);
            run.Batcher.Enqueue(Update(frame, id, name, subType, OperationAction.Start));
        }

        var childFrame = frame.Child(id, childInput, lane);
        if (replayChildren)
        {
            // The body really runs again (its result was too large to checkpoint); the context logger can tell.
            ReplayAwareLogger.EnterRebuild();
        }

        NodeOutcome outcome;
        AttemptInfo? started = null;
        try
        {
            started = run.AttemptStarted(id, name, OperationType.Context, subType, frame.ParentId, 1, isReplay: recorded is not null, replayingChildren: recorded is not null, rebuildsResult: replayChildren);
            outcome = await body(childFrame, value).ConfigureAwait(false);
            run.AttemptEnded(started, outcome.IsSuspended ? null : OperationStatus.Succeeded);
        }
        catch (Exception ex) when (!StepExecutor.IsFatal(ex, run) && !replayChildren)
        {
            var error = ErrorObjects.From(ex);
            run.AttemptEnded(started, OperationStatus.Failed, error);
            await run.Batcher.CheckpointAsync(Update(frame, id, name, subType, OperationAction.Fail) with { Error = error }, run.Cancellation).ConfigureAwait(false);
            throw new ChildContextFailedException(name, id, error, ex);
        }

        if (outcome.IsSuspended || replayChildren)
        {
            return outcome;
        }

        var payload = codec.Serialize(outcome.Value, serdes);
        var checkpointed = await run.OffloadAsync(payload, id).ConfigureAwait(false);
        if (Limits.Utf8Size(checkpointed) > Limits.MaxCheckpointPayloadBytes)
        {
            // Too large to checkpoint and not offloaded: replay will re-run the body to rebuild the result.
            run.Batcher.Defer(
                childFrame.Lane,
                Update(frame, id, name, subType, OperationAction.Succeed) with
                {
                    Payload = summary?.Invoke(outcome.Value) ?? string.Empty,
                    ContextOptions = new ContextOptions { ReplayChildren = true },
                });
            return outcome;
        }

        var succeed = Update(frame, id, name, subType, OperationAction.Succeed) with { Payload = checkpointed };
        if (queueSucceed)
        {
            // A map item or parallel branch: its result can be re-derived from its children's checkpoints (or, with none,
            // by re-running its pure body), so its SUCCEED travels with the parent's SUCCEED (or the final flush) instead
            // of costing one request per unit. Order is kept: the queue is sent in order before the parent's update.
            run.Batcher.Enqueue(succeed);
        }
        else
        {
            // The lane owes the SUCCEED: the result is passed on at once and is durable before the lane next runs user code.
            run.Batcher.Defer(childFrame.Lane, succeed);
        }

        return NodeOutcome.Done(codec.Deserialize(payload, serdes));
    }

    private static OperationUpdate Update(Frame frame, string id, string? name, string subType, OperationAction action)
        => frame.Update(id, name, OperationType.Context, subType, action);
}
