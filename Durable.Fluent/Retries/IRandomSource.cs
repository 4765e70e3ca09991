namespace Durable.Fluent.Retries;

/// <summary>
/// The source of the random numbers used for jitter. Retry and wait strategies never create their own
/// <see cref="Random"/>; they draw from the source they were configured with, so tests can pin it.
/// </summary>
/// <remarks>
/// The delay a strategy picks is checkpointed by the interpreter (<c>NextAttemptDelaySeconds</c>), and a decision is
/// never recomputed on replay, so jitter is rolled exactly once per failed attempt and a deterministic replay does not
/// need a deterministic source.
/// </remarks>
public interface IRandomSource
{
    /// <summary>Returns a number in <c>[0, 1)</c>. The value 1 is tolerated; anything outside <c>[0, 1]</c> is rejected.</summary>
    /// <returns>The next random number.</returns>
    double NextDouble();
}

/// <summary>Ready-made <see cref="IRandomSource"/> implementations.</summary>
public static class RandomSource
{
    /// <summary>
    /// The documented default source: <see cref="Random.Shared"/> (thread-safe). Used when a strategy is not given a
    /// source explicitly.
    /// </summary>
    public static IRandomSource Shared { get; } = new DelegateRandomSource(static () => Random.Shared.NextDouble());

    /// <summary>A source that always returns <paramref name="value"/>; for tests and deterministic examples.</summary>
    /// <param name="value">The value in <c>[0, 1]</c>.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is outside <c>[0, 1]</c>.</exception>
    public static IRandomSource Fixed(double value)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A fixed random value must be in [0, 1].");
        }

        return new DelegateRandomSource(() => value);
    }

    /// <summary>Wraps a delegate (for example Polly's <c>RetryStrategyOptions.Randomizer</c>) as a source.</summary>
    /// <param name="next">Returns a number in <c>[0, 1)</c>.</param>
    /// <returns>The source.</returns>
    public static IRandomSource FromDelegate(Func<double> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return new DelegateRandomSource(next);
    }

    private sealed class DelegateRandomSource(Func<double> next) : IRandomSource
    {
        public double NextDouble() => next();
    }
}
