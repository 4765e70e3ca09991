using System.Text.RegularExpressions;

namespace Durable.Fluent.Retries;

/// <summary>
/// The documented exponential retry configuration (Python <c>RetryStrategyConfig</c>, JS <c>createRetryStrategy</c>,
/// .NET <c>RetryStrategy.Exponential</c>): <c>base = min(InitialDelay × BackoffRate^(attemptsMade−1), MaxDelay)</c>,
/// then <see cref="RetryStrategyConfigBase.Jitter"/> and <c>max(1, ceil(x))</c>. It is immutable and validated; use
/// <c>with</c> expressions or the fluent helpers to derive variants.
/// </summary>
/// <example>
/// <code>
/// var strategy = new RetryStrategyConfig { MaxAttempts = 5, InitialDelay = TimeSpan.FromSeconds(2), BackoffRate = 3, Jitter = JitterStrategy.None }
///     .RetryOn&lt;TimeoutException&gt;()
///     .RetryOnMessage("throttled");
/// </code>
/// </example>
/// <remarks>
/// Defaults are those of the SDK record (3 attempts, 5 s, 300 s, ×2, Full, every error retryable). A step without any
/// strategy uses <see cref="RetryPresets.Default"/> instead (6 attempts, 60 s max). See
/// <see cref="RetryStrategyConfigBase"/> for the decision, validation and randomness contracts.
/// </remarks>
public sealed record RetryStrategyConfig : RetryStrategyConfigBase
{
    private readonly TimeSpan _initialDelay = TimeSpan.FromSeconds(5);
    private readonly TimeSpan _maxDelay = TimeSpan.FromSeconds(300);
    private readonly double _backoffRate = 2.0;

    /// <summary>Creates a configuration with the documented defaults (3 attempts, 5 s, 300 s, ×2, Full jitter).</summary>
    public RetryStrategyConfig()
        : base(3)
    {
    }

    /// <summary>Delay before the second attempt, before jitter. Default 5 s; must be &gt; 0 and ≤ 366 days.</summary>
    /// <exception cref="ArgumentException">The value is out of range.</exception>
    public TimeSpan InitialDelay
    {
        get => _initialDelay;
        init
        {
            RetryMath.CheckPositiveDelay(value, nameof(InitialDelay));
            _initialDelay = value;
        }
    }

    /// <summary>
    /// Cap on the base delay. Default 300 s; must be &gt; 0, ≤ 366 days and ≥ <see cref="InitialDelay"/> (the last rule is
    /// checked by <see cref="RetryStrategyConfigBase.Validate"/>, before any decision).
    /// </summary>
    /// <exception cref="ArgumentException">The value is out of range.</exception>
    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        init
        {
            RetryMath.CheckPositiveDelay(value, nameof(MaxDelay));
            _maxDelay = value;
        }
    }

    /// <summary>Multiplier applied per further attempt. Default 2.0; must be finite and ≥ 1.</summary>
    /// <exception cref="ArgumentException">The value is below 1, NaN or infinite.</exception>
    public double BackoffRate
    {
        get => _backoffRate;
        init
        {
            if (!double.IsFinite(value) || value < 1)
            {
                throw new ArgumentException($"{nameof(BackoffRate)} must be a finite number ≥ 1 (was {value}).", nameof(BackoffRate));
            }

            _backoffRate = value;
        }
    }

    /// <summary>Returns a copy that also retries errors assignable to <typeparamref name="TException"/>.</summary>
    /// <typeparam name="TException">The exception type (subclasses match too).</typeparam>
    /// <returns>The new configuration.</returns>
    public RetryStrategyConfig RetryOn<TException>()
        where TException : Exception => this with { RetryableErrorTypes = WithType(typeof(TException)) };

    /// <summary>Returns a copy that also retries errors whose message contains <paramref name="substring"/>.</summary>
    /// <param name="substring">The text (case-sensitive substring test).</param>
    /// <returns>The new configuration.</returns>
    public RetryStrategyConfig RetryOnMessage(string substring) => this with { RetryableErrorMessages = WithMessage(substring) };

    /// <summary>Returns a copy that also retries errors whose message matches <paramref name="regex"/>.</summary>
    /// <param name="regex">The expression (<c>IsMatch</c>).</param>
    /// <returns>The new configuration.</returns>
    public RetryStrategyConfig RetryOnMessage(Regex regex) => this with { RetryableErrorMessages = WithMessage(regex) };

    /// <summary>Returns a copy drawing jitter from <paramref name="random"/>.</summary>
    /// <param name="random">The source.</param>
    /// <returns>The new configuration.</returns>
    public RetryStrategyConfig WithRandom(IRandomSource random) => this with { Random = random };

    /// <summary>
    /// Wraps Polly retry options as a durable strategy; see <see cref="PollyRetryStrategy"/> for how each option maps
    /// (<c>MaxAttempts = MaxRetryAttempts + 1</c>, Constant/Linear/Exponential backoff, <c>ShouldHandle</c>,
    /// <c>DelayGenerator</c>, <c>MaxDelay</c>, <c>UseJitter</c>; whole seconds, minimum 1).
    /// </summary>
    /// <param name="options">The Polly options.</param>
    /// <param name="random">Jitter source; default <c>options.Randomizer</c>.</param>
    /// <returns>The durable strategy.</returns>
    public static PollyRetryStrategy FromPolly(Polly.Retry.RetryStrategyOptions<object> options, IRandomSource? random = null) =>
        new(options, random);

    /// <inheritdoc/>
    protected override double BaseDelaySeconds(int attemptsMade) =>
        Math.Min(InitialDelay.TotalSeconds * Math.Pow(BackoffRate, attemptsMade - 1), MaxDelay.TotalSeconds);

    /// <inheritdoc/>
    protected override void ValidateCrossFields()
    {
        if (MaxDelay < InitialDelay)
        {
            throw new ArgumentException(
                $"{nameof(MaxDelay)} must be ≥ {nameof(InitialDelay)} ({InitialDelay.TotalSeconds} s) and ≤ {RetryMath.MaxDelaySeconds} s (was {MaxDelay.TotalSeconds} s).",
                nameof(MaxDelay));
        }
    }
}
