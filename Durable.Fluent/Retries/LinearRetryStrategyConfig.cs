using System.Text.RegularExpressions;

namespace Durable.Fluent.Retries;

/// <summary>
/// The linear retry configuration (Python <c>LinearRetryStrategyConfig</c>; JS and .NET have none):
/// <c>base = min(InitialDelay + Increment × (attemptsMade − 1), MaxDelay)</c>, then jitter and <c>max(1, ceil(x))</c>.
/// Defaults: 6 attempts, 1 s initial, 1 s increment, 300 s max, Full jitter, every error retryable.
/// </summary>
/// <remarks>See <see cref="RetryStrategyConfigBase"/> for the decision, validation and randomness contracts.</remarks>
public sealed record LinearRetryStrategyConfig : RetryStrategyConfigBase
{
    private readonly TimeSpan _initialDelay = TimeSpan.FromSeconds(1);
    private readonly TimeSpan _increment = TimeSpan.FromSeconds(1);
    private readonly TimeSpan _maxDelay = TimeSpan.FromSeconds(300);

    /// <summary>Creates a configuration with the documented defaults (6 attempts, 1 s + 1 s, 300 s max, Full jitter).</summary>
    public LinearRetryStrategyConfig()
        : base(6)
    {
    }

    /// <summary>Delay before the second attempt, before jitter. Default 1 s; must be &gt; 0 and ≤ 366 days.</summary>
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

    /// <summary>Added per further attempt. Default 1 s; must be ≥ 0 and ≤ 366 days.</summary>
    /// <exception cref="ArgumentException">The value is out of range.</exception>
    public TimeSpan Increment
    {
        get => _increment;
        init
        {
            RetryMath.CheckNonNegativeDelay(value, nameof(Increment));
            _increment = value;
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

    /// <summary>Returns a copy that also retries errors assignable to <typeparamref name="TException"/>.</summary>
    /// <typeparam name="TException">The exception type (subclasses match too).</typeparam>
    /// <returns>The new configuration.</returns>
    public LinearRetryStrategyConfig RetryOn<TException>()
        where TException : Exception => this with { RetryableErrorTypes = WithType(typeof(TException)) };

    /// <summary>Returns a copy that also retries errors whose message contains <paramref name="substring"/>.</summary>
    /// <param name="substring">The text (case-sensitive substring test).</param>
    /// <returns>The new configuration.</returns>
    public LinearRetryStrategyConfig RetryOnMessage(string substring) => this with { RetryableErrorMessages = WithMessage(substring) };

    /// <summary>Returns a copy that also retries errors whose message matches <paramref name="regex"/>.</summary>
    /// <param name="regex">The expression (<c>IsMatch</c>).</param>
    /// <returns>The new configuration.</returns>
    public LinearRetryStrategyConfig RetryOnMessage(Regex regex) => this with { RetryableErrorMessages = WithMessage(regex) };

    /// <summary>Returns a copy drawing jitter from <paramref name="random"/>.</summary>
    /// <param name="random">The source.</param>
    /// <returns>The new configuration.</returns>
    public LinearRetryStrategyConfig WithRandom(IRandomSource random) => this with { Random = random };

    /// <inheritdoc/>
    protected override double BaseDelaySeconds(int attemptsMade) =>
        Math.Min(InitialDelay.TotalSeconds + (Increment.TotalSeconds * (attemptsMade - 1)), MaxDelay.TotalSeconds);

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
