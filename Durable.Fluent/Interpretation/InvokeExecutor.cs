using Durable.Fluent.Definition;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Runs a chained invoke (CHAINED_INVOKE, SubType ChainedInvoke). Decision table per recorded status:
/// <list type="table">
/// <item><term>none</term><description>synchronous START {Payload, ChainedInvokeOptions{FunctionName, TenantId}}, re-check the status (an immediate failure is handled at once), else suspend.</description></item>
/// <item><term>SUCCEEDED</term><description>deserialize <c>ChainedInvokeDetails.Result</c>.</description></item>
/// <item><term>FAILED / TIMED_OUT / STOPPED</term><description>throw <see cref="InvokeFailedException"/> / <see cref="InvokeTimedOutException"/> / <see cref="InvokeStoppedException"/>.</description></item>
/// <item><term>STARTED / PENDING</term><description>suspend, without a new START.</description></item>
/// </list>
/// </summary>
internal static class InvokeExecutor
{
    public static async ValueTask<NodeOutcome> ExecuteAsync(InvokeNode node, Frame frame, object? value)
    {
        var run = frame.Run;
        var id = frame.NextId();
        var name = Replay.Name(node, frame, value);
        var recorded = run.Find(id);
        var serdes = new SerDesContext(id, name, run.Arn);
        if (recorded is not null)
        {
            Replay.CheckDeterminism(run, recorded, OperationType.ChainedInvoke, OperationSubTypes.ChainedInvoke, name, node.Describe());
            return await ResolveAsync(node, run, recorded, id, name, serdes).ConfigureAwait(false);
        }

        run.BeginNewOperation(id, name, OperationType.ChainedInvoke, OperationSubTypes.ChainedInvoke, frame.ParentId);
        var payload = node.PayloadCodec.Resolve(run.Json).Serialize(node.Payload(value), serdes);
        Limits.EnsurePayload(payload, name, Limits.MaxServicePayloadBytes);
        await run.Batcher.CheckpointAsync(
            frame.Update(id, name, OperationType.ChainedInvoke, OperationSubTypes.ChainedInvoke, OperationAction.Start) with
            {
                Payload = payload,
                ChainedInvokeOptions = new ChainedInvokeOptions { FunctionName = node.FunctionName, TenantId = node.TenantId?.Invoke(value) },
            },
            run.Cancellation).ConfigureAwait(false);
        return run.Find(id) is { } now ? await ResolveAsync(node, run, now, id, name, serdes).ConfigureAwait(false) : NodeOutcome.Suspended;
    }

    private static async ValueTask<NodeOutcome> ResolveAsync(InvokeNode node, ExecutionRun run, Operation op, string id, string? name, SerDesContext serdes)
    {
        var error = op.ChainedInvokeDetails?.Error ?? new ErrorObject { ErrorMessage = $"Invoke '{name ?? id}' of '{node.FunctionName}' ended with status {op.Status}." };
        return op.Status switch
        {
            // A Durable.Fluent target with payload offload may return a reference to its (large) result.
            OperationStatus.Succeeded => NodeOutcome.Done(node.ResultCodec.Resolve(run.Json).Deserialize(await run.ResolveAsync(op.ChainedInvokeDetails?.Result, id, name).ConfigureAwait(false), serdes)),
            OperationStatus.Failed or OperationStatus.Cancelled => throw new InvokeFailedException(name, id, error),
            OperationStatus.TimedOut => throw new InvokeTimedOutException(name, id, error),
            OperationStatus.Stopped => throw new InvokeStoppedException(name, id, error),
            _ => NodeOutcome.Suspended,
        };
    }
}
