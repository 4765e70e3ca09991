using Durable.Fluent.Definition;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Runs a wait-for-callback: the CONTEXT protocol (<see cref="ChildExecutor.RunContextAsync"/>, SubType WaitForCallback)
/// around three children — the CALLBACK (n=1, named <c>"{name}-callback"</c>), the submitter STEP (n=2, SubType Step, named
/// <c>"{name}-submitter"</c>, with its own retry strategy) and the await. Unnamed wait-for-callbacks have unnamed children.
/// <para>Errors: a callback failure or timeout passes through with the sender's or service's error
/// (<see cref="CallbackFailedException"/>, <see cref="CallbackTimedOutException"/>); a submitter that exhausts its retries
/// fails the context with <see cref="CallbackSubmitterFailedException"/> and leaves the callback open. The exception is
/// rebuilt from the context's recorded error, so the first run and every replay throw the same type and message.</para>
/// </summary>
internal static class WaitForCallbackExecutor
{
    private static readonly CodecSpec NoPayload = CodecSpec.Custom(new NoPayloadSerDes());

    public static async ValueTask<NodeOutcome> ExecuteAsync(WaitForCallbackNode node, Frame frame, object? value)
    {
        var name = Replay.Name(node, frame, value);
        var id = frame.NextId();
        var label = node.Describe();
        try
        {
            var outcome = await ChildExecutor.RunContextAsync(
                frame,
                value,
                name,
                OperationSubTypes.WaitForCallback,
                label,
                node.Spec.Codec,
                (child, v) => BodyAsync(node, child, v, name, id, label),
                childInput: frame.Input,
                id: id).ConfigureAwait(false);
            return node.Combine is null || outcome.IsSuspended ? outcome : NodeOutcome.Done(node.Combine(value, outcome.Value));
        }
        catch (ChildContextFailedException ex) when (ex.OperationId == id)
        {
            var mapped = Map(name, id, ex.Error, ex.InnerException);
            if (mapped is CallbackTimedOutException timeout && node.OnTimeout is not null)
            {
                return NodeOutcome.Done(node.OnTimeout(timeout, value));
            }

            throw mapped;
        }
    }

    private static async ValueTask<NodeOutcome> BodyAsync(WaitForCallbackNode node, Frame child, object? value, string? name, string id, string label)
    {
        var binding = await CallbackExecutor.CreateCoreAsync(child, name is null ? null : name + "-callback", node.Spec, label).ConfigureAwait(false);
        var submitter = new StepNode((v, ctx, ct) => SubmitAsync(node, v, binding.CallbackId, ctx, ct), NoPayload)
        {
            Name = name is null ? null : OperationName.FromString(name + "-submitter"),
            Retry = node.SubmitterRetry,
        };
        NodeOutcome submitted;
        try
        {
            submitted = await StepExecutor.ExecuteAsync(submitter, child, value).ConfigureAwait(false);
        }
        catch (StepFailedException ex)
        {
            throw new CallbackSubmitterFailedException(name, id, CallbackSubmitterFailedException.Describe(name, ex.Error, ex.Attempts), ex);
        }

        if (submitted.IsSuspended)
        {
            return submitted;
        }

        // Errors of the callback carry the name of the wait-for-callback, which is what the workflow declared.
        return await CallbackExecutor.ResolveAsync(binding with { Name = name }, child.Run).ConfigureAwait(false);
    }

    private static async ValueTask<object?> SubmitAsync(WaitForCallbackNode node, object? value, string callbackId, StepContext context, CancellationToken cancellationToken)
    {
        await node.Submit(value, callbackId, context, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static DurableOperationException Map(string? name, string id, ErrorObject error, Exception? inner)
    {
        if (string.Equals(error.ErrorType, CallbackSubmitterFailedException.ErrorTypeName, StringComparison.Ordinal))
        {
            return new CallbackSubmitterFailedException(name, id, error, inner);
        }

        if (CallbackTimedOutException.IsTimeoutType(error.ErrorType))
        {
            return new CallbackTimedOutException(name, id, error);
        }

        return new CallbackFailedException(name, id, error, inner);
    }

    private sealed class NoPayloadSerDes : ISerDes<object?>
    {
        public string? Serialize(object? value, SerDesContext context) => null;

        public object? Deserialize(string? payload, SerDesContext context) => null;
    }
}
