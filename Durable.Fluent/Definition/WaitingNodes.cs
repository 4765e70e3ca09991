using Durable.Fluent.Retries;

namespace Durable.Fluent.Definition;

/// <summary>The declared shape of a callback: timeouts and the result serializer.</summary>
/// <param name="TimeoutSeconds">Overall timeout in whole seconds; 0 means none.</param>
/// <param name="HeartbeatTimeoutSeconds">Heartbeat timeout in whole seconds; 0 means none.</param>
/// <param name="Codec">How the success payload is deserialized (and, inside wait-for-callback, the context result serialized).</param>
internal sealed record CallbackSpec(int TimeoutSeconds, int HeartbeatTimeoutSeconds, CodecSpec Codec);

/// <summary>Creates a callback (CALLBACK START) and binds its id to a handle in the current frame; the value passes through.</summary>
/// <param name="Key">The handle that identifies the callback in this frame (reference identity).</param>
/// <param name="Spec">Timeouts and serializer.</param>
internal sealed record CreateCallbackNode(object Key, CallbackSpec Spec) : Node
{
    public override string Kind => "CreateCallback";
}

/// <summary>Awaits a callback created earlier in this frame or an enclosing one. It creates no operation.</summary>
/// <param name="Key">The handle.</param>
/// <param name="Label">The handle's name, for diagnostics.</param>
/// <param name="Spec">Timeouts and serializer.</param>
/// <param name="OnTimeout">Optional: turns a timeout into a value instead of an error.</param>
internal sealed record AwaitCallbackNode(object Key, string Label, CallbackSpec Spec, Func<CallbackTimedOutException, object?, object?>? OnTimeout) : Node
{
    public override string Kind => $"AwaitCallback({Label})";

    /// <summary>Optional: combines the current value with the callback's result.</summary>
    public Func<object?, object?, object?>? Combine { get; init; }
}

/// <summary>The submitter of a wait-for-callback: receives the current value and the callback id.</summary>
internal delegate Task CallbackSubmitter(object? value, string callbackId, StepContext context, CancellationToken cancellationToken);

/// <summary>A wait-for-callback: CONTEXT (WaitForCallback) holding the CALLBACK, the submitter STEP and the await.</summary>
internal sealed record WaitForCallbackNode(CallbackSpec Spec, CallbackSubmitter Submit) : Node
{
    public override string Kind => "WaitForCallback";

    /// <summary>The submitter's retry strategy; null means the workflow default.</summary>
    public IRetryStrategy? SubmitterRetry { get; init; }

    /// <summary>Optional: turns a timeout into a value instead of an error.</summary>
    public Func<CallbackTimedOutException, object?, object?>? OnTimeout { get; init; }

    /// <summary>Optional: combines the current value with the callback's result (a timeout value is not combined).</summary>
    public Func<object?, object?, object?>? Combine { get; init; }
}

/// <summary>The check of a wait-for-condition: (state, context, token) → new state.</summary>
internal delegate ValueTask<object?> ConditionCheck(object? state, StepContext context, CancellationToken cancellationToken);

/// <summary>A wait-for-condition: one STEP (SubType WaitForCondition) polled until the strategy stops.</summary>
/// <param name="Check">The check.</param>
/// <param name="Decide">The strategy's decision for (new state, attempt, frame input); throws when exhausted.</param>
/// <param name="InitialState">The initial state, from the current value.</param>
/// <param name="StateCodec">Serializer of the state.</param>
internal sealed record WaitForConditionNode(ConditionCheck Check, Func<object?, int, object?, WaitDecision> Decide, Func<object?, object?> InitialState, CodecSpec StateCodec) : Node
{
    public override string Kind => "WaitForCondition";
}

/// <summary>A chained invoke of another function (CHAINED_INVOKE, SubType ChainedInvoke).</summary>
/// <param name="FunctionName">The target function name or ARN.</param>
/// <param name="Payload">Computes the payload from the current value.</param>
/// <param name="PayloadCodec">Serializer of the payload.</param>
/// <param name="ResultCodec">Deserializer of the result.</param>
internal sealed record InvokeNode(string FunctionName, Func<object?, object?> Payload, CodecSpec PayloadCodec, CodecSpec ResultCodec) : Node
{
    public override string Kind => "Invoke";

    /// <summary>Computes the tenant id from the current value; null means none.</summary>
    public Func<object?, string?>? TenantId { get; init; }
}
