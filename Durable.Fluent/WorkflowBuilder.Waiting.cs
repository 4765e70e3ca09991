using Durable.Fluent.Definition;
using Durable.Fluent.Retries;
using Durable.Fluent.Serialization;

namespace Durable.Fluent;

public sealed partial class WorkflowBuilder<TIn, TCur>
{
    /// <summary>
    /// Creates the callback <paramref name="callback"/> (a synchronous CALLBACK START; the service returns its id) and keeps
    /// the current value. Later steps read the id with <c>ctx.CallbackId(callback)</c>; <see cref="AwaitCallback{T}(CallbackHandle{T})"/>
    /// waits for the result. Creating never fails, even when the callback has already completed or timed out.
    /// </summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <param name="callback">The handle from <see cref="Fluent.Callback.Declare{T}"/>.</param>
    /// <returns>The builder; the current value passes through unchanged.</returns>
    public WorkflowBuilder<TIn, TCur> CreateCallback<T>(CallbackHandle<T> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new(Chain.Append(new CreateCallbackNode(callback, callback.Spec) { Name = callback.Name }));
    }

    /// <summary>
    /// Waits for a callback created earlier (in this context or an enclosing one) and makes its result the current value.
    /// The execution suspends until the outside system completes it. A failure sent by the outside system throws
    /// <see cref="CallbackFailedException"/> (with the sender's error type and message); a timeout throws
    /// <see cref="CallbackTimedOutException"/> — catch it with <c>Try(...).Catch&lt;CallbackTimedOutException&gt;(...)</c> or use
    /// the <c>onTimeout</c> overload.
    /// </summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <param name="callback">The handle.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, T> AwaitCallback<T>(CallbackHandle<T> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new(Chain.Append(new AwaitCallbackNode(callback, callback.Name.Label, callback.Spec, null)));
    }

    /// <summary>Waits for a callback like <see cref="AwaitCallback{T}(CallbackHandle{T})"/>, turning a timeout into a value.</summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <param name="callback">The handle.</param>
    /// <param name="onTimeout">Computes the result when the callback timed out (overall or heartbeat; see <see cref="CallbackTimedOutException.Kind"/>) from the error and the current value. It runs on every replay, so it must be deterministic.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, T> AwaitCallback<T>(CallbackHandle<T> callback, Func<CallbackTimedOutException, TCur, T> onTimeout)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(onTimeout);
        return new(Chain.Append(new AwaitCallbackNode(callback, callback.Name.Label, callback.Spec, (ex, v) => onTimeout(ex, (TCur)v!))));
    }

    /// <summary>
    /// Waits for a callback like <see cref="AwaitCallback{T}(CallbackHandle{T})"/> and combines its result with the current value,
    /// so earlier results travel on (e.g. <c>.AwaitCallbackAndCombine(b, (a, resultB) =&gt; new Both(a, resultB))</c>).
    /// </summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <typeparam name="TNext">The combined value type.</typeparam>
    /// <param name="callback">The handle.</param>
    /// <param name="combine">Combines the current value and the callback's result; it runs on every replay, so it must be deterministic.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> AwaitCallbackAndCombine<T, TNext>(CallbackHandle<T> callback, Func<TCur, T, TNext> combine)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(combine);
        return new(Chain.Append(new AwaitCallbackNode(callback, callback.Name.Label, callback.Spec, null) { Combine = (v, r) => combine((TCur)v!, (T)r!) }));
    }

    /// <summary>
    /// Waits for a callback and combines its result with the current value (see
    /// <see cref="AwaitCallbackAndCombine{T, TNext}(CallbackHandle{T}, Func{TCur, T, TNext})"/>), turning a timeout into a value.
    /// </summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <typeparam name="TNext">The combined value type.</typeparam>
    /// <param name="callback">The handle.</param>
    /// <param name="combine">Combines the current value and the callback's result; it runs on every replay, so it must be deterministic.</param>
    /// <param name="onTimeout">Computes the result when the callback timed out, from the error and the current value (it is not combined). It must be deterministic.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> AwaitCallbackAndCombine<T, TNext>(CallbackHandle<T> callback, Func<TCur, T, TNext> combine, Func<CallbackTimedOutException, TCur, TNext> onTimeout)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(combine);
        ArgumentNullException.ThrowIfNull(onTimeout);
        return new(Chain.Append(new AwaitCallbackNode(callback, callback.Name.Label, callback.Spec, (ex, v) => onTimeout(ex, (TCur)v!)) { Combine = (v, r) => combine((TCur)v!, (T)r!) }));
    }

    /// <summary>
    /// Like <see cref="WaitForCallback{T}(OperationName, Func{TCur, string, CancellationToken, Task}, Action{CallbackConfigurator{T}}?, Func{CallbackTimedOutException, TCur, T}?)"/>,
    /// and combines the callback's result with the current value so earlier results travel on:
    /// <c>.WaitForCallback("approval", submit: ..., combine: (Order o, Approval a) =&gt; new Approved(o, a))</c>. Give the
    /// combine function's parameter types (or both type arguments): the callback's type cannot be inferred otherwise.
    /// </summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <typeparam name="TNext">The combined value type.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="submit">Sends the callback id to the outside system: <c>(value, callbackId, ct)</c>.</param>
    /// <param name="combine">Combines the current value and the callback's result; it runs on every replay, so it must be deterministic.</param>
    /// <param name="configure">Timeouts, serializer, submitter retry strategy.</param>
    /// <param name="onTimeout">Optional: the result when the callback times out (not combined), instead of <see cref="CallbackTimedOutException"/>.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> WaitForCallback<T, TNext>(OperationName name, Func<TCur, string, CancellationToken, Task> submit, Func<TCur, T, TNext> combine, Action<CallbackConfigurator<T>>? configure = null, Func<CallbackTimedOutException, TCur, TNext>? onTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(submit);
        return AddWaitForCallback(name, (v, id, _, ct) => submit((TCur)v!, id, ct), configure, onTimeout, combine);
    }

    /// <summary>Like the combining <c>WaitForCallback</c> overload, with the submitter's step context <c>(value, callbackId, ctx, ct)</c>.</summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <typeparam name="TNext">The combined value type.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="submit">Sends the callback id: <c>(value, callbackId, ctx, ct)</c>.</param>
    /// <param name="combine">Combines the current value and the callback's result; it must be deterministic.</param>
    /// <param name="configure">Timeouts, serializer, submitter retry strategy.</param>
    /// <param name="onTimeout">Optional: the result when the callback times out (not combined).</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> WaitForCallback<T, TNext>(OperationName name, Func<TCur, string, StepContext<TIn>, CancellationToken, Task> submit, Func<TCur, T, TNext> combine, Action<CallbackConfigurator<T>>? configure = null, Func<CallbackTimedOutException, TCur, TNext>? onTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(submit);
        return AddWaitForCallback(name, (v, id, ctx, ct) => submit((TCur)v!, id, new StepContext<TIn>(ctx), ct), configure, onTimeout, combine);
    }

    /// <summary>
    /// Creates a callback, hands its id to <paramref name="submit"/> (a durable step with retries), and waits for the result —
    /// all in one CONTEXT operation (SubType <c>WaitForCallback</c>) whose children are named <c>"{name}-callback"</c> and
    /// <c>"{name}-submitter"</c>. The result becomes the current value.
    /// </summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <param name="name">The operation name (for example <c>"approval_callback"</c>).</param>
    /// <param name="submit">Sends the callback id to the outside system: <c>(value, callbackId, ct)</c>.</param>
    /// <param name="configure">Timeouts, serializer, submitter retry strategy.</param>
    /// <param name="onTimeout">Optional: the result when the callback times out, instead of <see cref="CallbackTimedOutException"/>.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, T> WaitForCallback<T>(OperationName name, Func<TCur, string, CancellationToken, Task> submit, Action<CallbackConfigurator<T>>? configure = null, Func<CallbackTimedOutException, TCur, T>? onTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(submit);
        return AddWaitForCallback(name, (v, id, _, ct) => submit((TCur)v!, id, ct), configure, onTimeout);
    }

    /// <summary>Like <see cref="WaitForCallback{T}(OperationName, Func{TCur, string, CancellationToken, Task}, Action{CallbackConfigurator{T}}?, Func{CallbackTimedOutException, TCur, T}?)"/>, with the submitter's step context.</summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="submit">Sends the callback id: <c>(value, callbackId, ctx, ct)</c>.</param>
    /// <param name="configure">Timeouts, serializer, submitter retry strategy.</param>
    /// <param name="onTimeout">Optional: the result on timeout.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, T> WaitForCallback<T>(OperationName name, Func<TCur, string, StepContext<TIn>, CancellationToken, Task> submit, Action<CallbackConfigurator<T>>? configure = null, Func<CallbackTimedOutException, TCur, T>? onTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(submit);
        return AddWaitForCallback(name, (v, id, ctx, ct) => submit((TCur)v!, id, new StepContext<TIn>(ctx), ct), configure, onTimeout);
    }

    /// <summary>Like the other <c>WaitForCallback</c> overloads, with a synchronous submitter <c>(value, callbackId)</c>.</summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="submit">Sends the callback id.</param>
    /// <param name="configure">Timeouts, serializer, submitter retry strategy.</param>
    /// <param name="onTimeout">Optional: the result on timeout.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, T> WaitForCallback<T>(OperationName name, Action<TCur, string> submit, Action<CallbackConfigurator<T>>? configure = null, Func<CallbackTimedOutException, TCur, T>? onTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(submit);
        return AddWaitForCallback(name, (v, id, _, _) =>
        {
            submit((TCur)v!, id);
            return Task.CompletedTask;
        }, configure, onTimeout);
    }

    /// <summary>The one-call callback of the design: the same as <c>WaitForCallback</c>.</summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="submit">Sends the callback id: <c>(value, callbackId, ct)</c>.</param>
    /// <param name="configure">Timeouts, serializer, submitter retry strategy.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, T> Callback<T>(OperationName name, Func<TCur, string, CancellationToken, Task> submit, Action<CallbackConfigurator<T>>? configure = null)
        => WaitForCallback(name, submit, configure);

    /// <summary>
    /// Polls a condition durably: runs <paramref name="check"/> once per invocation, and between polls suspends for the delay
    /// <paramref name="strategy"/> decides (no compute is billed). Each poll's state is checkpointed (one STEP, SubType
    /// <c>WaitForCondition</c>), so the next poll starts from it. When the strategy stops, the final state becomes the current value.
    /// If the check throws or the strategy gives up, the operation fails with <see cref="WaitForConditionFailedException"/>
    /// carrying the last state.
    /// </summary>
    /// <typeparam name="TState">The polled state.</typeparam>
    /// <param name="name">The operation name (for example <c>"poll-status"</c>).</param>
    /// <param name="check">Computes the new state from the previous one.</param>
    /// <param name="strategy"><see cref="WaitStrategy.Exponential{TState}"/>, <see cref="WaitStrategy.Linear{TState}"/>, <see cref="WaitStrategy.Fixed{TState}"/> or <see cref="WaitStrategy.FromDelegate{TState}"/>.</param>
    /// <param name="initialState">The state of the first poll.</param>
    /// <param name="serDes">Optional serializer of the state (default JSON).</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TState> WaitForCondition<TState>(OperationName name, Func<TState, StepContext<TIn>, TState> check, WaitStrategy<TState> strategy, TState initialState, ISerDes<TState>? serDes = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        return AddWaitForCondition(name, (s, ctx, _) => new ValueTask<object?>(check((TState)s!, new StepContext<TIn>(ctx))), strategy, _ => initialState, serDes);
    }

    /// <summary>
    /// Polls a condition whose strategy depends on the workflow input (for example "until the count reaches the requested
    /// threshold"): <paramref name="strategy"/> is called with the input for each poll's decision.
    /// </summary>
    /// <typeparam name="TState">The polled state.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="check">Computes the new state from the previous one.</param>
    /// <param name="strategy">Builds the wait strategy from the workflow input (deterministic: the input is checkpointed).</param>
    /// <param name="initialState">The state of the first poll.</param>
    /// <param name="serDes">Optional serializer of the state (default JSON).</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TState> WaitForCondition<TState>(OperationName name, Func<TState, StepContext<TIn>, TState> check, Func<TIn, WaitStrategy<TState>> strategy, TState initialState, ISerDes<TState>? serDes = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(strategy);
        return new(Chain.Append(new WaitForConditionNode(
            (s, ctx, _) => new ValueTask<object?>(check((TState)s!, new StepContext<TIn>(ctx))),
            (s, attempt, input) => strategy((TIn)input!).Decide((TState)s!, attempt),
            _ => initialState,
            serDes is null ? CodecSpec.JsonOf<TState>() : CodecSpec.Custom(serDes))
        { Name = name }));
    }

    /// <summary>Polls a condition with an asynchronous check (see the synchronous overload).</summary>
    /// <typeparam name="TState">The polled state.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="check">Computes the new state from the previous one.</param>
    /// <param name="strategy">The wait strategy.</param>
    /// <param name="initialState">The state of the first poll.</param>
    /// <param name="serDes">Optional serializer of the state (default JSON).</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TState> WaitForCondition<TState>(OperationName name, Func<TState, StepContext<TIn>, CancellationToken, Task<TState>> check, WaitStrategy<TState> strategy, TState initialState, ISerDes<TState>? serDes = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        return AddWaitForCondition(name, async (s, ctx, ct) => await check((TState)s!, new StepContext<TIn>(ctx), ct).ConfigureAwait(false), strategy, _ => initialState, serDes);
    }

    /// <summary>Polls a condition whose first state is the current value (which must be a <typeparamref name="TState"/>).</summary>
    /// <typeparam name="TState">The polled state.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="check">Computes the new state from the previous one.</param>
    /// <param name="strategy">The wait strategy.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="WorkflowDefinitionException">The current value is not a <typeparamref name="TState"/>.</exception>
    public WorkflowBuilder<TIn, TState> WaitForCondition<TState>(OperationName name, Func<TState, StepContext<TIn>, TState> check, WaitStrategy<TState> strategy)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (!typeof(TState).IsAssignableFrom(typeof(TCur)))
        {
            throw new WorkflowDefinitionException($"WaitForCondition '{name}': the current value ({typeof(TCur).Name}) is not a {typeof(TState).Name}; pass initialState: explicitly.");
        }

        return AddWaitForCondition(name, (s, ctx, _) => new ValueTask<object?>(check((TState)s!, new StepContext<TIn>(ctx))), strategy, v => v, null);
    }

    /// <summary>
    /// Invokes another Lambda function (CHAINED_INVOKE) with the current value as payload and makes its result the current value.
    /// The execution suspends until the target finishes. A failed, timed-out or stopped target throws
    /// <see cref="InvokeFailedException"/> (or its subclasses <see cref="InvokeTimedOutException"/>, <see cref="InvokeStoppedException"/>).
    /// </summary>
    /// <typeparam name="TResult">The target's result type.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="functionName">The target function name or ARN (a durable target must be qualified: version, alias or <c>$LATEST</c>).</param>
    /// <param name="configure">Tenant id and serializers.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TResult> Invoke<TResult>(OperationName name, string functionName, Action<InvokeConfigurator<TCur, TResult>>? configure = null)
        => AddInvoke(name, functionName, v => v, CodecSpec.JsonOf<TCur>(), configure);

    /// <summary>Invokes another Lambda function with a payload computed from the current value (see the other overload).</summary>
    /// <typeparam name="TResult">The target's result type.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="functionName">The target function name or ARN.</param>
    /// <param name="payload">Computes the payload; it runs on every replay, so it must be deterministic.</param>
    /// <param name="configure">Tenant id and serializers.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TResult> Invoke<TResult>(OperationName name, string functionName, Func<TCur, object?> payload, Action<InvokeConfigurator<TCur, TResult>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return AddInvoke(name, functionName, v => payload((TCur)v!), CodecSpec.JsonOf<object?>(), configure);
    }

    /// <summary>An unnamed wait-for-callback (its callback and submitter are unnamed too); prefer a named one for readable histories.</summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <param name="submit">Sends the callback id to the outside system: <c>(value, callbackId, ct)</c>.</param>
    /// <param name="configure">Timeouts, serializer, submitter retry strategy.</param>
    /// <param name="onTimeout">Optional: the result when the callback times out.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, T> WaitForCallback<T>(Func<TCur, string, CancellationToken, Task> submit, Action<CallbackConfigurator<T>>? configure = null, Func<CallbackTimedOutException, TCur, T>? onTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(submit);
        return AddWaitForCallback(null, (v, id, _, ct) => submit((TCur)v!, id, ct), configure, onTimeout);
    }

    /// <summary>An unnamed polling operation (see the named <c>WaitForCondition</c> overloads).</summary>
    /// <typeparam name="TState">The polled state.</typeparam>
    /// <param name="check">Computes the new state from the previous one.</param>
    /// <param name="strategy">The wait strategy.</param>
    /// <param name="initialState">The state of the first poll.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TState> WaitForCondition<TState>(Func<TState, StepContext<TIn>, TState> check, WaitStrategy<TState> strategy, TState initialState)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(strategy);
        return AddWaitForCondition(null, (s, ctx, _) => new ValueTask<object?>(check((TState)s!, new StepContext<TIn>(ctx))), strategy, _ => initialState, null);
    }

    /// <summary>An unnamed chained invoke of <paramref name="functionName"/> with the current value as payload.</summary>
    /// <typeparam name="TResult">The target's result type.</typeparam>
    /// <param name="functionName">The target function name or ARN.</param>
    /// <param name="configure">Tenant id and serializers.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TResult> Invoke<TResult>(string functionName, Action<InvokeConfigurator<TCur, TResult>>? configure = null)
        => AddInvoke(null, functionName, v => v, CodecSpec.JsonOf<TCur>(), configure);

    private WorkflowBuilder<TIn, T> AddWaitForCallback<T>(OperationName? name, CallbackSubmitter submit, Action<CallbackConfigurator<T>>? configure, Func<CallbackTimedOutException, TCur, T>? onTimeout)
        => AddWaitForCallback<T, T>(name, submit, configure, onTimeout, null);

    private WorkflowBuilder<TIn, TNext> AddWaitForCallback<T, TNext>(OperationName? name, CallbackSubmitter submit, Action<CallbackConfigurator<T>>? configure, Func<CallbackTimedOutException, TCur, TNext>? onTimeout, Func<TCur, T, TNext>? combine)
    {
        // A null name is an unnamed operation.
        var cfg = new CallbackConfigurator<T>();
        configure?.Invoke(cfg);
        return new(Chain.Append(new WaitForCallbackNode(cfg.ToSpec(), submit)
        {
            Name = name,
            SubmitterRetry = cfg.SubmitterRetryStrategy,
            OnTimeout = onTimeout is null ? null : (ex, v) => onTimeout(ex, (TCur)v!),
            Combine = combine is null ? null : (v, r) => combine((TCur)v!, (T)r!),
        }));
    }

    private WorkflowBuilder<TIn, TState> AddWaitForCondition<TState>(OperationName? name, ConditionCheck check, WaitStrategy<TState> strategy, Func<object?, object?> initial, ISerDes<TState>? serDes)
    {
        // A null name is an unnamed operation.
        ArgumentNullException.ThrowIfNull(strategy);
        return new(Chain.Append(new WaitForConditionNode(check, (s, attempt, _) => strategy.Decide((TState)s!, attempt), initial, serDes is null ? CodecSpec.JsonOf<TState>() : CodecSpec.Custom(serDes)) { Name = name }));
    }

    private WorkflowBuilder<TIn, TResult> AddInvoke<TResult>(OperationName? name, string functionName, Func<object?, object?> payload, CodecSpec defaultPayloadCodec, Action<InvokeConfigurator<TCur, TResult>>? configure)
    {
        // A null name is an unnamed operation.
        if (string.IsNullOrEmpty(functionName) || functionName.Length > 256)
        {
            throw new WorkflowDefinitionException($"Invoke '{name}': the function name must be 1–256 characters (a name or ARN).");
        }

        var cfg = new InvokeConfigurator<TCur, TResult>();
        configure?.Invoke(cfg);
        return new(Chain.Append(new InvokeNode(functionName, payload, cfg.PayloadCodec ?? defaultPayloadCodec, cfg.ResultCodec)
        {
            Name = name,
            TenantId = cfg.TenantIdSelector is { } t ? v => t((TCur)v!) : null,
        }));
    }
}

/// <summary>Configures a chained invoke: tenant id and serializers.</summary>
/// <typeparam name="TCur">The current value type (the tenant id may be computed from it).</typeparam>
/// <typeparam name="TResult">The target's result type.</typeparam>
public sealed class InvokeConfigurator<TCur, TResult>
{
    private ISerDes<TResult>? _result;

    internal Func<TCur, string?>? TenantIdSelector { get; private set; }

    internal CodecSpec? PayloadCodec { get; private set; }

    internal CodecSpec ResultCodec => _result is null ? CodecSpec.JsonOf<TResult>() : CodecSpec.Custom(_result);

    /// <summary>Invokes the target for a tenant (recorded as <c>ChainedInvokeOptions.TenantId</c>).</summary>
    /// <param name="tenantId">The tenant id (1–256 characters).</param>
    /// <returns>This configurator.</returns>
    public InvokeConfigurator<TCur, TResult> TenantId(string tenantId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        TenantIdSelector = _ => tenantId;
        return this;
    }

    /// <summary>Invokes the target for a tenant computed from the current value (deterministic: it runs on every replay).</summary>
    /// <param name="tenantId">Computes the tenant id; null means none.</param>
    /// <returns>This configurator.</returns>
    public InvokeConfigurator<TCur, TResult> TenantId(Func<TCur, string?> tenantId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        TenantIdSelector = tenantId;
        return this;
    }

    /// <summary>Serializes the payload with a custom serializer (default JSON).</summary>
    /// <typeparam name="TPayload">The payload type the serializer handles.</typeparam>
    /// <param name="serDes">The serializer.</param>
    /// <returns>This configurator.</returns>
    public InvokeConfigurator<TCur, TResult> PayloadSerDes<TPayload>(ISerDes<TPayload> serDes)
    {
        ArgumentNullException.ThrowIfNull(serDes);
        PayloadCodec = CodecSpec.Custom(serDes);
        return this;
    }

    /// <summary>Deserializes the target's result with a custom serializer (default JSON of <typeparamref name="TResult"/>).</summary>
    /// <param name="serDes">The serializer.</param>
    /// <returns>This configurator.</returns>
    public InvokeConfigurator<TCur, TResult> ResultSerDes(ISerDes<TResult> serDes)
    {
        ArgumentNullException.ThrowIfNull(serDes);
        _result = serDes;
        return this;
    }
}
