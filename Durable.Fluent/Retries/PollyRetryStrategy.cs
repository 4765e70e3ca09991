using Polly;
using Polly.Retry;

namespace Durable.Fluent.Retries;

/// <summary>
/// Gives a Polly <see cref="RetryStrategyOptions{TResult}"/> durable behaviour: instead of sleeping in process, each
/// decision is checkpointed by the interpreter (a RETRY with the delay, or a FAIL) and the service re-invokes later.
/// </summary>
/// <remarks>
/// <para>How each option maps (options are copied when the strategy is created; later changes are not seen):</para>
/// <list type="bullet">
/// <item><c>MaxRetryAttempts</c>: retries <i>after</i> the first attempt, so <see cref="MaxAttempts"/> =
/// <c>MaxRetryAttempts + 1</c> and a failure with <c>attemptsMade ≥ MaxRetryAttempts + 1</c> stops. 0 is accepted and
/// means never retry; <c>int.MaxValue</c> means retry indefinitely.</item>
/// <item><c>ShouldHandle</c>: evaluated with <see cref="RetryPredicateArguments{TResult}"/> carrying
/// <c>Outcome.FromException&lt;object&gt;(error)</c>, the zero-based <c>AttemptNumber = attemptsMade − 1</c> and a
/// <see cref="ResilienceContext"/> rented from <see cref="ResilienceContextPool.Shared"/> (operation key = step name) and
/// returned afterwards. Polly's default handles every exception except <see cref="OperationCanceledException"/>. An
/// asynchronous predicate is waited for synchronously.</item>
/// <item><c>DelayGenerator</c>: called first with the same arguments; when it returns a non-negative value that value is
/// used as is (Polly ignores <c>MaxDelay</c> and <c>BackoffType</c> for it too). Null or negative falls back to the
/// computed delay.</item>
/// <item><c>BackoffType</c> and <c>Delay</c>, with <c>n = attemptsMade − 1</c>: Constant = <c>Delay</c>; Linear =
/// <c>Delay × (n + 1)</c>; Exponential = <c>Delay × 2^n</c>, as Polly documents.</item>
/// <item><c>UseJitter</c>: Constant and Linear become <c>d × (0.75 + 0.5·r)</c> (Polly's ±25 %). Exponential uses Polly's
/// decorrelated-jitter-V2 formula <c>(f(n + r) − f(n − 1 + r)) × Delay / 1.4</c> with <c>f(t) = 2^t · tanh(√(4t))</c> and
/// <c>f(−1 + r) = 0</c> for <c>n = 0</c>. Polly carries the previous term's random offset in memory; a durable retry
/// cannot, so the previous term reuses the current offset (the first delay is exactly Polly's).</item>
/// <item><c>MaxDelay</c>: caps the computed delay (not a generated one).</item>
/// <item><c>Randomizer</c>: the jitter source, unless a <see cref="IRandomSource"/> is passed to the constructor.</item>
/// <item><c>OnRetry</c> and telemetry: not invoked; the interpreter logs and checkpoints retries itself.</item>
/// <item>Durable granularity: the final delay is rounded up to whole seconds, minimum 1 (Polly's "retry immediately"
/// becomes 1 s), maximum 31,622,400 s.</item>
/// </list>
/// <para>The chosen delay is checkpointed, so jitter is never re-rolled on replay.</para>
/// </remarks>
public sealed class PollyRetryStrategy : IRetryStrategy
{
    private const double PollyJitterFactor = 0.5;
    private const double DecorrelatedPFactor = 4.0;
    private const double DecorrelatedScaling = 1 / 1.4d;

    private readonly Func<RetryPredicateArguments<object>, ValueTask<bool>> _shouldHandle;
    private readonly Func<RetryDelayGeneratorArguments<object>, ValueTask<TimeSpan?>>? _delayGenerator;
    private readonly IRandomSource _random;

    /// <summary>Creates the adapter.</summary>
    /// <param name="options">Polly options (the non-generic <see cref="RetryStrategyOptions"/> derives from these).</param>
    /// <param name="random">Jitter source; default <c>options.Randomizer</c>.</param>
    /// <exception cref="ArgumentException">An option is out of range (negative <c>MaxRetryAttempts</c>, negative
    /// <c>Delay</c> or <c>MaxDelay</c>, undefined <c>BackoffType</c>, null <c>ShouldHandle</c>).</exception>
    public PollyRetryStrategy(RetryStrategyOptions<object> options, IRandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRetryAttempts < 0)
        {
            throw new ArgumentException($"MaxRetryAttempts must be ≥ 0 (was {options.MaxRetryAttempts}).", nameof(options));
        }

        if (options.Delay < TimeSpan.Zero)
        {
            throw new ArgumentException($"Delay must be ≥ 0 (was {options.Delay}).", nameof(options));
        }

        if (options.MaxDelay is { } max && max < TimeSpan.Zero)
        {
            throw new ArgumentException($"MaxDelay must be null or ≥ 0 (was {max}).", nameof(options));
        }

        if (!Enum.IsDefined(options.BackoffType))
        {
            throw new ArgumentException($"BackoffType must be Constant, Linear or Exponential (was {(int)options.BackoffType}).", nameof(options));
        }

        _shouldHandle = options.ShouldHandle ?? throw new ArgumentException("ShouldHandle must not be null.", nameof(options));
        _delayGenerator = options.DelayGenerator;
        _random = random ?? RandomSource.FromDelegate(options.Randomizer ?? throw new ArgumentException("Randomizer must not be null.", nameof(options)));
        MaxAttempts = options.MaxRetryAttempts == int.MaxValue ? int.MaxValue : options.MaxRetryAttempts + 1;
        BackoffType = options.BackoffType;
        Delay = options.Delay;
        MaxDelay = options.MaxDelay;
        UseJitter = options.UseJitter;
    }

    /// <summary>Total attempts including the first: <c>MaxRetryAttempts + 1</c>.</summary>
    public int MaxAttempts { get; }

    /// <summary>The copied <c>BackoffType</c>.</summary>
    public DelayBackoffType BackoffType { get; }

    /// <summary>The copied base <c>Delay</c>.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The copied <c>MaxDelay</c> (null: uncapped, except by the service maximum).</summary>
    public TimeSpan? MaxDelay { get; }

    /// <summary>The copied <c>UseJitter</c>.</summary>
    public bool UseJitter { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RetryContext.AttemptsMade"/> is below 1.</exception>
    public RetryDecision Decide(RetryContext context)
    {
        ArgumentNullException.ThrowIfNull(context.Error);
        if (context.AttemptsMade < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(context), context.AttemptsMade, "AttemptsMade counts the attempt that just failed, so it is at least 1.");
        }

        if (context.AttemptsMade >= MaxAttempts)
        {
            return RetryDecision.Stop;
        }

        var attemptNumber = context.AttemptsMade - 1;
        var outcome = Outcome.FromException<object>(context.Error);
        var resilienceContext = ResilienceContextPool.Shared.Get(context.OperationName ?? string.Empty, CancellationToken.None);
        try
        {
            if (!RetryMath.Await(_shouldHandle(new RetryPredicateArguments<object>(resilienceContext, outcome, attemptNumber))))
            {
                return RetryDecision.Stop;
            }

            if (_delayGenerator is not null
                && RetryMath.Await(_delayGenerator(new RetryDelayGeneratorArguments<object>(resilienceContext, outcome, attemptNumber))) is { } generated
                && generated >= TimeSpan.Zero)
            {
                return RetryDecision.RetryAfter(RetryMath.ToWholeSeconds(generated.TotalSeconds));
            }

            return RetryDecision.RetryAfter(RetryMath.ToWholeSeconds(ComputeDelaySeconds(attemptNumber)));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilienceContext);
        }
    }

    /// <summary>The computed (not generated) delay in seconds for zero-based <paramref name="attemptNumber"/>, before rounding.</summary>
    /// <param name="attemptNumber">Zero-based retry number (<c>attemptsMade − 1</c>).</param>
    /// <returns>The delay in seconds, capped at <see cref="MaxDelay"/>.</returns>
    internal double ComputeDelaySeconds(int attemptNumber)
    {
        var baseSeconds = Delay.TotalSeconds;
        double seconds;
        if (baseSeconds == 0)
        {
            seconds = 0;
        }
        else if (!UseJitter)
        {
            seconds = BackoffType switch
            {
                DelayBackoffType.Constant => baseSeconds,
                DelayBackoffType.Linear => baseSeconds * (attemptNumber + 1.0),
                _ => baseSeconds * Math.Pow(2, attemptNumber),
            };
        }
        else if (BackoffType == DelayBackoffType.Exponential)
        {
            var r = RetryMath.Draw(_random);
            var previous = attemptNumber == 0 ? 0 : Decorrelated(attemptNumber - 1 + r);
            seconds = (Decorrelated(attemptNumber + r) - previous) * DecorrelatedScaling * baseSeconds;
        }
        else
        {
            var d = BackoffType == DelayBackoffType.Linear ? baseSeconds * (attemptNumber + 1.0) : baseSeconds;
            var r = RetryMath.Draw(_random);
            seconds = d + (d * PollyJitterFactor * r) - (d * PollyJitterFactor / 2);
        }

        if (double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            seconds = RetryMath.MaxDelaySeconds;
        }

        return MaxDelay is { } max && seconds > max.TotalSeconds ? max.TotalSeconds : seconds;
    }

    private static double Decorrelated(double t) => Math.Pow(2, t) * Math.Tanh(Math.Sqrt(DecorrelatedPFactor * t));
}
