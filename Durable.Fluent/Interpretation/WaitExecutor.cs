using Durable.Fluent.Definition;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Runs a wait node. New: synchronous START with WaitSeconds, then suspend. SUCCEEDED: continue with the value unchanged.
/// STARTED: the timer has not fired yet (the service marks it SUCCEEDED): suspend without a new checkpoint.
/// </summary>
internal static class WaitExecutor
{
    public static async ValueTask<NodeOutcome> ExecuteAsync(WaitNode node, Frame frame, object? value)
    {
        var run = frame.Run;
        var id = frame.NextId();
        var name = Replay.Name(node, frame, value);
        var recorded = run.Find(id);
        if (recorded is not null)
        {
            Replay.CheckDeterminism(run, recorded, OperationType.Wait, OperationSubTypes.Wait, name, node);
            return recorded.Status switch
            {
                OperationStatus.Succeeded => NodeOutcome.Done(value),
                OperationStatus.Started or OperationStatus.Pending => NodeOutcome.Suspended,
                _ => throw new NonDeterministicExecutionException($"Wait '{name ?? id}' is recorded with status {recorded.Status}, which a wait in this workflow cannot have."),
            };
        }

        run.BeginNewOperation(id, name, OperationType.Wait, OperationSubTypes.Wait, frame.ParentId);
        await run.Batcher.CheckpointAsync(
            frame.Update(id, name, OperationType.Wait, OperationSubTypes.Wait, OperationAction.Start) with
            {
                WaitOptions = new WaitOptions { WaitSeconds = node.Seconds },
            },
            run.Cancellation).ConfigureAwait(false);
        return NodeOutcome.Suspended;
    }
}
