namespace Durable.Fluent.Retries;

/// <summary>Shared arithmetic of spec §f: jitter, rounding to whole seconds and the service limits.</summary>
internal static class RetryMath
{
    /// <summary>Largest <c>NextAttemptDelaySeconds</c>/<c>WaitSeconds</c> the service accepts (366 days, spec §h).</summary>
    public const int MaxDelaySeconds = 31_622_400;

    public static double Draw(IRandomSource random)
    {
        var value = random.NextDouble();
        if (!(value >= 0 && value <= 1))
        {
            throw new InvalidOperationException(
                $"The random source {random.GetType().Name} returned {value}; it must return a number in [0, 1).");
        }

        return value;
    }

    public static double ApplyJitter(double baseSeconds, JitterStrategy jitter, IRandomSource random) => jitter switch
    {
        JitterStrategy.None => baseSeconds,
        JitterStrategy.Full => Draw(random) * baseSeconds,
        JitterStrategy.Half => (baseSeconds / 2) + (Draw(random) * (baseSeconds / 2)),
        _ => throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "Unknown jitter strategy."),
    };

    /// <summary><c>max(1, ceil(seconds))</c> (Python and .NET rounding), capped at <see cref="MaxDelaySeconds"/>.</summary>
    public static int ToWholeSeconds(double seconds)
    {
        if (double.IsNaN(seconds) || seconds <= 1)
        {
            return 1;
        }

        var ceiling = Math.Ceiling(seconds);
        return ceiling >= MaxDelaySeconds ? MaxDelaySeconds : (int)ceiling;
    }

    public static T Await<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    public static void CheckJitter(JitterStrategy value, string field)
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentException($"{field} must be None, Full or Half (was {(int)value}).", field);
        }
    }

    public static void CheckMaxAttempts(int value, string field)
    {
        if (value < 1)
        {
            throw new ArgumentException($"{field} must be at least 1 (was {value}); it counts every attempt including the first.", field);
        }
    }

    public static void CheckPositiveDelay(TimeSpan value, string field)
    {
        if (value <= TimeSpan.Zero || value.TotalSeconds > MaxDelaySeconds)
        {
            throw new ArgumentException(
                $"{field} must be greater than 0 and at most {MaxDelaySeconds} s (366 days) (was {value.TotalSeconds} s).", field);
        }
    }

    public static void CheckNonNegativeDelay(TimeSpan value, string field)
    {
        if (value < TimeSpan.Zero || value.TotalSeconds > MaxDelaySeconds)
        {
            throw new ArgumentException(
                $"{field} must be between 0 and {MaxDelaySeconds} s (366 days) (was {value.TotalSeconds} s).", field);
        }
    }
}
