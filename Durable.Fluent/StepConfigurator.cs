using Durable.Fluent.Definition;
using Durable.Fluent.Retries;
using Durable.Fluent.Serialization;

namespace Durable.Fluent;

/// <summary>The settings every step has: semantics, retry strategy, per-attempt timeout.</summary>
/// <typeparam name="TSelf">The concrete configurator (for fluent chaining).</typeparam>
public abstract class StepConfiguratorBase<TSelf>
    where TSelf : StepConfiguratorBase<TSelf>
{
    private protected StepConfiguratorBase()
    {
    }

    internal StepSemantics Semantics { get; private set; } = StepSemantics.AtLeastOncePerRetry;

    internal IRetryStrategy? RetryStrategy { get; private set; }

    internal bool RetryExplicit { get; private set; }

    internal TimeSpan? AttemptTimeout { get; private set; }

    /// <summary>
    /// A soft per-attempt timeout: after <paramref name="timeout"/> the body's <see cref="CancellationToken"/> is cancelled;
    /// if the body stops with <see cref="OperationCanceledException"/>, the attempt fails with a
    /// <see cref="StepTimedOutException"/>, which goes through the retry strategy like any failure. The body must observe
    /// the token — the timeout cannot stop code that ignores it — and the time is the invocation's (a Lambda invocation
    /// still ends at the function timeout).
    /// </summary>
    /// <param name="timeout">More than zero.</param>
    /// <returns>This configurator.</returns>
    public TSelf Timeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            throw new WorkflowDefinitionException($"A step timeout must be more than zero (got {timeout}).");
        }

        AttemptTimeout = timeout;
        return (TSelf)this;
    }

    /// <summary>
    /// Checkpoint the START of each attempt before the body runs, so an attempt interrupted by a crash is never re-run blindly
    /// (it goes through the retry strategy as a <see cref="StepInterruptedException"/>). Use for payments, emails and other
    /// side effects that must not repeat.
    /// </summary>
    /// <returns>This configurator.</returns>
    public TSelf AtMostOncePerRetry()
    {
        Semantics = StepSemantics.AtMostOncePerRetry;
        return (TSelf)this;
    }

    /// <summary>The default: the body may run again if the invocation ends before its result is checkpointed.</summary>
    /// <returns>This configurator.</returns>
    public TSelf AtLeastOncePerRetry()
    {
        Semantics = StepSemantics.AtLeastOncePerRetry;
        return (TSelf)this;
    }

    /// <summary>Sets the step semantics.</summary>
    /// <param name="semantics">The semantics.</param>
    /// <returns>This configurator.</returns>
    public TSelf WithSemantics(StepSemantics semantics)
    {
        Semantics = semantics;
        return (TSelf)this;
    }

    /// <summary>Retries failed attempts with <paramref name="strategy"/> (for example a <c>RetryStrategyConfig</c> or a preset).</summary>
    /// <param name="strategy">The strategy.</param>
    /// <returns>This configurator.</returns>
    public TSelf Retry(IRetryStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        RetryStrategy = strategy;
        RetryExplicit = true;
        return (TSelf)this;
    }

    /// <summary>
    /// Retries failed attempts with the meaning of a Polly <see cref="Polly.Retry.RetryStrategyOptions{TResult}"/>
    /// (MaxRetryAttempts, Delay, MaxDelay, BackoffType, UseJitter, ShouldHandle, DelayGenerator) — but durably: each retry
    /// is checkpointed with its delay and the invocation suspends instead of sleeping. See <see cref="PollyRetryStrategy"/>.
    /// </summary>
    /// <param name="options">The Polly options.</param>
    /// <returns>This configurator.</returns>
    public TSelf Retry(Polly.Retry.RetryStrategyOptions<object> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Retry(new PollyRetryStrategy(options));
    }

    /// <summary>Never retries: the first failure fails the step.</summary>
    /// <returns>This configurator.</returns>
    public TSelf NoRetry()
    {
        RetryStrategy = NoRetryStrategy.Instance;
        RetryExplicit = true;
        return (TSelf)this;
    }

    /// <summary>Applies a reusable <see cref="StepConfig"/> preset (semantics and retry strategy).</summary>
    /// <param name="config">The preset.</param>
    /// <returns>This configurator.</returns>
    public TSelf Apply(StepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Semantics = config.Semantics;
        if (config.Retry is not null)
        {
            Retry(config.Retry);
        }

        return (TSelf)this;
    }

}

/// <summary>Configures one step that has a result: semantics, retry strategy, timeout and the result's serializer.</summary>
/// <typeparam name="TResult">The step's result type.</typeparam>
public sealed class StepConfigurator<TResult> : StepConfiguratorBase<StepConfigurator<TResult>>
{
    internal ISerDes<TResult>? SerDes { get; private set; }

    internal CodecSpec Codec => SerDes is null ? CodecSpec.JsonOf<TResult>() : CodecSpec.Custom(SerDes);

    /// <summary>Uses a custom serializer for the step's result, on the first run and on replay.</summary>
    /// <param name="serDes">The serializer.</param>
    /// <returns>This configurator.</returns>
    public StepConfigurator<TResult> SerializeWith(ISerDes<TResult> serDes)
    {
        ArgumentNullException.ThrowIfNull(serDes);
        SerDes = serDes;
        return this;
    }
}

/// <summary>
/// Configures a step that has no result (a <c>void</c> or <see cref="Task"/> body, or a compensation): semantics, retry
/// strategy and timeout. There is no result to serialize; the current value passes through.
/// </summary>
public sealed class StepConfigurator : StepConfiguratorBase<StepConfigurator>
{
}

/// <summary>
/// A reusable step configuration — the seed's "group related configuration": declare presets once
/// (<c>public static readonly StepConfig Payment = new() { Semantics = StepSemantics.AtMostOncePerRetry, Retry = Retries.Fast };</c>)
/// and apply them with <c>step =&gt; step.Apply(StepConfigs.Payment)</c>.
/// </summary>
public sealed record StepConfig
{
    /// <summary>The step semantics (default at-least-once per retry).</summary>
    public StepSemantics Semantics { get; init; } = StepSemantics.AtLeastOncePerRetry;

    /// <summary>The retry strategy; <see langword="null"/> keeps the workflow default.</summary>
    public IRetryStrategy? Retry { get; init; }
}

/// <summary>A strategy that never retries.</summary>
internal sealed class NoRetryStrategy : IRetryStrategy
{
    public static NoRetryStrategy Instance { get; } = new();

    public RetryDecision Decide(RetryContext context) => RetryDecision.Stop;
}
