namespace Durable.Fluent.Retries;

/// <summary>
/// Decides whether a failed step attempt is retried and after how long. The interpreter asks it once per failed attempt,
/// checkpoints the decision (a RETRY with the delay, or a FAIL) and never asks again for that attempt on replay.
/// </summary>
public interface IRetryStrategy
{
    /// <summary>Decides for one failed attempt.</summary>
    /// <param name="context">The error and the number of attempts made, including the one that just failed.</param>
    /// <returns>The decision.</returns>
    RetryDecision Decide(RetryContext context);
}

/// <summary>The input of a retry decision.</summary>
/// <param name="Error">The error of the attempt that just failed.</param>
/// <param name="AttemptsMade">Attempts made so far, including the one that just failed (1 after the first failure).</param>
/// <param name="OperationName">The step's name, for diagnostics.</param>
public readonly record struct RetryContext(Exception Error, int AttemptsMade, string? OperationName);

/// <summary>The outcome of a retry decision.</summary>
public readonly record struct RetryDecision
{
    private RetryDecision(bool shouldRetry, int delaySeconds)
    {
        ShouldRetry = shouldRetry;
        DelaySeconds = delaySeconds;
    }

    /// <summary>Do not retry: the step fails.</summary>
    public static RetryDecision Stop { get; } = new(false, 0);

    /// <summary>Whether to retry.</summary>
    public bool ShouldRetry { get; }

    /// <summary>Whole seconds before the next attempt (at least 1 when retrying).</summary>
    public int DelaySeconds { get; }

    /// <summary>Retry after <paramref name="delaySeconds"/> seconds; values below 1 become 1.</summary>
    /// <param name="delaySeconds">The delay in whole seconds.</param>
    /// <returns>The decision.</returns>
    public static RetryDecision RetryAfter(int delaySeconds) => new(true, Math.Max(1, delaySeconds));
}
