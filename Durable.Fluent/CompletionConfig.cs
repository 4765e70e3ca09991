namespace Durable.Fluent;

/// <summary>
/// When a parallel or map stops dispatching new units. With no criterion set the batch is fail-fast (it stops after the first
/// failure). Otherwise it stops when every unit settled, when <see cref="MinSuccessful"/> units succeeded, or when failures
/// exceed <see cref="ToleratedFailureCount"/> or <see cref="ToleratedFailurePercentage"/> (strictly greater; the percentage is
/// of all units, dispatched or not). The operation itself always succeeds; the reason is in the batch result.
/// </summary>
public sealed record CompletionConfig
{
    /// <summary>Stop once this many units succeeded (1..count, checked when the operation runs).</summary>
    public int? MinSuccessful { get; init; }

    /// <summary>Stop once more than this many units failed (≥ 0).</summary>
    public int? ToleratedFailureCount { get; init; }

    /// <summary>Stop once more than this percentage (0–100) of all units failed.</summary>
    public double? ToleratedFailurePercentage { get; init; }

    /// <summary>Fail-fast: stop at the first failure (the default when nothing is set).</summary>
    public static CompletionConfig AllSuccessful { get; } = new() { ToleratedFailureCount = 0 };

    /// <summary>Run every unit whatever fails.</summary>
    public static CompletionConfig AllCompleted { get; } = new() { ToleratedFailurePercentage = 100 };

    /// <summary>Stop at the first success.</summary>
    public static CompletionConfig FirstSuccessful { get; } = new() { MinSuccessful = 1 };

    /// <summary>A config tolerating <paramref name="count"/> failures.</summary>
    /// <param name="count">The tolerated failure count.</param>
    /// <returns>The config.</returns>
    public static CompletionConfig ToleratingFailures(int count) => new() { ToleratedFailureCount = count };

    /// <summary>A config that stops after <paramref name="count"/> successes.</summary>
    /// <param name="count">The minimum number of successes.</param>
    /// <returns>The config.</returns>
    public static CompletionConfig WithMinSuccessful(int count) => new() { MinSuccessful = count };

    internal bool HasCriterion => MinSuccessful is not null || ToleratedFailureCount is not null || ToleratedFailurePercentage is not null;

    internal void Validate(int count, string what)
    {
        if (MinSuccessful is { } m && (m < 1 || m > count))
        {
            throw new BatchConfigurationException($"{what}: MinSuccessful is {m}, but it must be between 1 and the number of units ({count}).");
        }

        if (ToleratedFailureCount is < 0)
        {
            throw new BatchConfigurationException($"{what}: ToleratedFailureCount is {ToleratedFailureCount}; it must be 0 or more.");
        }

        if (ToleratedFailurePercentage is { } p && (p < 0 || p > 100 || double.IsNaN(p)))
        {
            throw new BatchConfigurationException($"{what}: ToleratedFailurePercentage is {p}; it must be between 0 and 100.");
        }
    }

    internal bool ToleranceExceeded(int failed, int total)
    {
        if (!HasCriterion)
        {
            return failed > 0;
        }

        return (ToleratedFailureCount is { } c && failed > c)
            || (ToleratedFailurePercentage is { } p && total > 0 && failed * 100.0 / total > p);
    }

    internal bool IsComplete(int succeeded, int failed, int total)
        => succeeded + failed >= total || (MinSuccessful is { } m && succeeded >= m) || ToleranceExceeded(failed, total);

    internal CompletionReason Reason(int succeeded, int failed, int total)
    {
        if (ToleranceExceeded(failed, total))
        {
            return CompletionReason.FailureToleranceExceeded;
        }

        if (succeeded + failed >= total)
        {
            return CompletionReason.AllCompleted;
        }

        return MinSuccessful is { } m && succeeded >= m ? CompletionReason.MinSuccessfulReached : CompletionReason.AllCompleted;
    }
}
