using Durable.Fluent.Definition;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Interpretation;

/// <summary>What creating a callback bound in a frame: its operation, name and id.</summary>
internal sealed record CallbackBinding(string OperationId, string? Name, string CallbackId, CallbackSpec Spec);

/// <summary>
/// Creates and awaits callbacks.
/// <para><b>Create</b> (CALLBACK, SubType Callback). New: synchronous START with CallbackOptions; the id comes back in the
/// checkpoint response. Recorded (any status): bind the recorded id — creating never throws, even when the callback is
/// already terminal, so the nodes between create and await run the same way on every replay.</para>
/// <list type="table">
/// <item><term>await: SUCCEEDED</term><description>deserialize <c>CallbackDetails.Result</c> (JSON of T, or the custom serializer).</description></item>
/// <item><term>await: FAILED</term><description>throw <see cref="CallbackFailedException"/> carrying the sender's error.</description></item>
/// <item><term>await: TIMED_OUT</term><description>the onTimeout handler's value, else throw <see cref="CallbackTimedOutException"/>.</description></item>
/// <item><term>await: other</term><description>suspend (no checkpoint).</description></item>
/// </list>
/// </summary>
internal static class CallbackExecutor
{
    public static async ValueTask<NodeOutcome> CreateAsync(CreateCallbackNode node, Frame frame, object? value)
    {
        var name = Replay.Name(node, frame, value);
        var binding = await CreateCoreAsync(frame, name, node.Spec, node.Describe()).ConfigureAwait(false);
        frame.Bind(node.Key, binding);
        return NodeOutcome.Done(value);
    }

    public static async ValueTask<NodeOutcome> AwaitAsync(AwaitCallbackNode node, Frame frame, object? value)
    {
        if (frame.Lookup(node.Key) is not CallbackBinding binding)
        {
            throw new InvalidOperationException(
                $"Callback '{node.Label}' is awaited before it was created. Add .CreateCallback(handle) before .AwaitCallback(handle), in the same context or an enclosing one.");
        }

        try
        {
            var outcome = await ResolveAsync(binding, frame.Run).ConfigureAwait(false);
            return node.Combine is null || outcome.IsSuspended ? outcome : NodeOutcome.Done(node.Combine(value, outcome.Value));
        }
        catch (CallbackTimedOutException timeout) when (node.OnTimeout is not null)
        {
            return NodeOutcome.Done(node.OnTimeout(timeout, value));
        }
    }

    public static async ValueTask<CallbackBinding> CreateCoreAsync(Frame frame, string? name, CallbackSpec spec, string label)
    {
        var run = frame.Run;
        var id = frame.NextId();
        var recorded = run.Find(id);
        if (recorded is not null)
        {
            Replay.CheckDeterminism(run, recorded, OperationType.Callback, OperationSubTypes.Callback, name, label);
            return new CallbackBinding(id, name, recorded.CallbackDetails?.CallbackId ?? string.Empty, spec);
        }

        run.BeginNewOperation(id, name, OperationType.Callback, OperationSubTypes.Callback, frame.ParentId);
        await run.Batcher.CheckpointAsync(
            frame.Update(id, name, OperationType.Callback, OperationSubTypes.Callback, OperationAction.Start) with
            {
                CallbackOptions = spec.TimeoutSeconds > 0 || spec.HeartbeatTimeoutSeconds > 0
                    ? new CallbackOptions
                    {
                        TimeoutSeconds = spec.TimeoutSeconds > 0 ? spec.TimeoutSeconds : null,
                        HeartbeatTimeoutSeconds = spec.HeartbeatTimeoutSeconds > 0 ? spec.HeartbeatTimeoutSeconds : null,
                    }
                    : null,
            },
            run.Cancellation).ConfigureAwait(false);
        var callbackId = run.Find(id)?.CallbackDetails?.CallbackId;
        if (string.IsNullOrEmpty(callbackId))
        {
            throw new InvalidOperationException($"The service did not return a callback id for callback '{name ?? id}' in the checkpoint response.");
        }

        return new CallbackBinding(id, name, callbackId, spec);
    }

    /// <summary>The await decision table: a value, a typed error, or a suspension.</summary>
    public static async ValueTask<NodeOutcome> ResolveAsync(CallbackBinding binding, ExecutionRun run)
    {
        var op = run.Find(binding.OperationId);
        switch (op?.Status)
        {
            case OperationStatus.Succeeded:
                // A sender may offload a large result (PayloadReference.WriteAsync) and send the reference.
                var codec = binding.Spec.Codec.Resolve(run.Json);
                var result = await run.ResolveAsync(op.CallbackDetails?.Result, binding.OperationId, binding.Name).ConfigureAwait(false);
                return NodeOutcome.Done(codec.Deserialize(result, new SerDesContext(binding.OperationId, binding.Name, run.Arn)));
            case OperationStatus.Failed:
                throw new CallbackFailedException(binding.Name, binding.OperationId, op.CallbackDetails?.Error ?? new ErrorObject { ErrorMessage = $"Callback '{binding.Name}' failed." });
            case OperationStatus.TimedOut:
                throw new CallbackTimedOutException(
                    binding.Name,
                    binding.OperationId,
                    CallbackTimedOutException.Describe(binding.Name, op.CallbackDetails?.Error, binding.Spec.TimeoutSeconds, binding.Spec.HeartbeatTimeoutSeconds));
            case OperationStatus.Cancelled or OperationStatus.Stopped:
                throw new CallbackFailedException(binding.Name, binding.OperationId, op.CallbackDetails?.Error ?? new ErrorObject { ErrorType = "Callback.Cancelled", ErrorMessage = $"Callback '{binding.Name}' was cancelled." });
            default:
                return NodeOutcome.Suspended;
        }
    }

    public static string IdOf<T>(Frame? frame, CallbackHandle<T> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (frame?.Lookup(handle) is CallbackBinding binding)
        {
            return binding.CallbackId;
        }

        throw new InvalidOperationException($"{handle} has not been created in this context or an enclosing one. Add .CreateCallback(handle) before the node that reads its id.");
    }
}
