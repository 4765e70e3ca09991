using Durable.Fluent.Definition;
using Durable.Fluent.Retries;
using Durable.Fluent.Serialization;

namespace Durable.Fluent;

/// <summary>Declares callbacks that are created in one place of a workflow and awaited in another.</summary>
/// <example>
/// <code>
/// static readonly CallbackHandle&lt;Approval&gt; ApprovalCallback = Callback.Declare&lt;Approval&gt;("approval_callback",
///     cb =&gt; cb.Timeout(TimeSpan.FromMinutes(3)).HeartbeatTimeout(TimeSpan.FromMinutes(1)));
///
/// Workflow.For&lt;Order&gt;()
///     .CreateCallback(ApprovalCallback)
///     .Then("request_approval", (order, ctx) =&gt; Approvals.Request(order, ctx.CallbackId(ApprovalCallback)))
///     .AwaitCallback(ApprovalCallback, onTimeout: (timeout, _) =&gt; Approval.Rejected("timed out"))
///     ...
/// </code>
/// </example>
public static class Callback
{
    /// <summary>
    /// Declares a typed callback handle. The handle is a definition-time value (share it in a static field); each
    /// execution, and each child context that creates it, gets its own callback id at run time.
    /// </summary>
    /// <typeparam name="T">The type of the success payload.</typeparam>
    /// <param name="name">The callback operation's name.</param>
    /// <param name="configure">Optional: timeouts and serializer.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="WorkflowDefinitionException">A timeout is out of range, or a submitter retry was configured (only wait-for-callback has a submitter).</exception>
    public static CallbackHandle<T> Declare<T>(OperationName name, Action<CallbackConfigurator<T>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var cfg = new CallbackConfigurator<T>();
        configure?.Invoke(cfg);
        if (cfg.SubmitterRetryStrategy is not null)
        {
            throw new WorkflowDefinitionException($"Callback '{name}': SubmitterRetry applies only to WaitForCallback(...), which runs a submitter step; a declared callback has none.");
        }

        return new CallbackHandle<T>(name, cfg.ToSpec());
    }
}

/// <summary>
/// A typed handle to a callback: <c>.CreateCallback(handle)</c> creates it, <c>ctx.CallbackId(handle)</c> reads its id in
/// later steps, and <c>.AwaitCallback(handle)</c> suspends until it completes and yields its <typeparamref name="T"/> result.
/// </summary>
/// <typeparam name="T">The type of the success payload.</typeparam>
public sealed class CallbackHandle<T>
{
    internal CallbackHandle(OperationName name, CallbackSpec spec)
    {
        Name = name;
        Spec = spec;
    }

    /// <summary>The callback operation's name.</summary>
    public OperationName Name { get; }

    internal CallbackSpec Spec { get; }

    /// <inheritdoc />
    public override string ToString() => $"Callback<{typeof(T).Name}> '{Name}'";
}

/// <summary>Configures a callback: timeouts, heartbeat timeout, serializer, and (for wait-for-callback) the submitter's retries.</summary>
/// <typeparam name="T">The type of the success payload.</typeparam>
public sealed class CallbackConfigurator<T>
{
    private TimeSpan _timeout;
    private TimeSpan _heartbeat;
    private ISerDes<T>? _serDes;

    internal IRetryStrategy? SubmitterRetryStrategy { get; private set; }

    /// <summary>
    /// Fails the callback with <see cref="CallbackTimedOutException"/> (ErrorType <c>Callback.Timeout</c>) when no result
    /// arrives within <paramref name="timeout"/>. Choose the expected response time plus a buffer; handle the timeout.
    /// </summary>
    /// <param name="timeout">Whole seconds, 1 s to 366 days.</param>
    /// <returns>This configurator.</returns>
    public CallbackConfigurator<T> Timeout(TimeSpan timeout)
    {
        DefinitionValidator.ValidateDuration(timeout, "Callback timeout");
        _timeout = timeout;
        return this;
    }

    /// <summary>
    /// Fails the callback with <see cref="CallbackTimedOutException"/> (ErrorType <c>Callback.Heartbeat</c>) when the
    /// outside system sends no heartbeat (or result) for <paramref name="heartbeatTimeout"/>; each heartbeat restarts the timer.
    /// </summary>
    /// <param name="heartbeatTimeout">Whole seconds, 1 s to 366 days.</param>
    /// <returns>This configurator.</returns>
    public CallbackConfigurator<T> HeartbeatTimeout(TimeSpan heartbeatTimeout)
    {
        DefinitionValidator.ValidateDuration(heartbeatTimeout, "Callback heartbeat timeout");
        _heartbeat = heartbeatTimeout;
        return this;
    }

    /// <summary>Reads the success payload with a custom serializer (default: JSON of <typeparamref name="T"/>).</summary>
    /// <param name="serDes">The serializer.</param>
    /// <returns>This configurator.</returns>
    public CallbackConfigurator<T> SerializeWith(ISerDes<T> serDes)
    {
        ArgumentNullException.ThrowIfNull(serDes);
        _serDes = serDes;
        return this;
    }

    /// <summary>
    /// Wait-for-callback only: the retry strategy of the submitter step (default: the workflow's default step strategy).
    /// When it gives up, the wait-for-callback fails with <see cref="CallbackSubmitterFailedException"/>.
    /// </summary>
    /// <param name="strategy">The strategy.</param>
    /// <returns>This configurator.</returns>
    public CallbackConfigurator<T> SubmitterRetry(IRetryStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        SubmitterRetryStrategy = strategy;
        return this;
    }

    internal CallbackSpec ToSpec() => new(
        (int)(_timeout.Ticks / TimeSpan.TicksPerSecond),
        (int)(_heartbeat.Ticks / TimeSpan.TicksPerSecond),
        _serDes is null ? CodecSpec.JsonOf<T>() : CodecSpec.Custom(_serDes));
}
