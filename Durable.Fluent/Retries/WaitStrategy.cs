namespace Durable.Fluent.Retries;

/// <summary>The outcome of one wait-for-condition poll decision.</summary>
public readonly record struct WaitDecision
{
    private WaitDecision(bool shouldContinue, int delaySeconds)
    {
        ShouldContinue = shouldContinue;
        DelaySeconds = delaySeconds;
    }

    /// <summary>The condition is met: the interpreter writes SUCCEED with the state and returns it.</summary>
    public static WaitDecision Stop { get; } = new(false, 0);

    /// <summary>Whether to poll again.</summary>
    public bool ShouldContinue { get; }

    /// <summary>Whole seconds before the next poll (at least 1 when continuing, 0 on <see cref="Stop"/>).</summary>
    public int DelaySeconds { get; }

    /// <summary>Poll again after <paramref name="delaySeconds"/>; values below 1 become 1.</summary>
    /// <param name="delaySeconds">The delay in whole seconds.</param>
    /// <returns>The decision.</returns>
    public static WaitDecision ContinueAfter(int delaySeconds) => new(true, Math.Max(1, delaySeconds));
}

/// <summary>
/// Thrown by a <see cref="WaitStrategy{TState}"/> when the condition is still unmet and the poll that just ran was the
/// last one allowed (<c>attempt ≥ MaxAttempts</c>). The interpreter treats it like an exception from the check: it
/// writes a FAIL with this error and throws the typed wait-for-condition error.
/// </summary>
public sealed class WaitForConditionExhaustedException : DurableExecutionException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public WaitForConditionExhaustedException()
        : base("wait_for_condition exhausted its maximum attempts.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public WaitForConditionExhaustedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause, when known.</param>
    public WaitForConditionExhaustedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an exhausted budget.</summary>
    /// <param name="attempt">The attempt that just ran.</param>
    /// <param name="maxAttempts">The budget.</param>
    public WaitForConditionExhaustedException(int attempt, int maxAttempts)
        : base($"wait_for_condition exceeded its maximum of {maxAttempts} attempts (attempt {attempt}) without the condition being met.")
    {
        Attempt = attempt;
        MaxAttempts = maxAttempts;
    }

    /// <summary>The attempt that just ran (1-based), when known.</summary>
    public int Attempt { get; }

    /// <summary>The attempt budget, when known.</summary>
    public int MaxAttempts { get; }
}

/// <summary>
/// Decides, after each wait-for-condition check, whether to poll again and after how long (spec §f "Wait strategies").
/// </summary>
/// <typeparam name="TState">The polled state.</typeparam>
/// <remarks>
/// <para>
/// <b>Contract for the interpreter.</b> After <c>newState = check(state, ctx)</c> on attempt <c>attempt</c>
/// (1-based: <c>StepDetails.Attempt + 1</c>), call <see cref="Decide"/>. <see cref="WaitDecision.Stop"/> → write SUCCEED
/// with <c>newState</c>; <see cref="WaitDecision.ContinueAfter"/> → write RETRY with <c>newState</c> and
/// <c>NextAttemptDelaySeconds = DelaySeconds</c> (already ≥ 1) and suspend; an exception (always
/// <see cref="WaitForConditionExhaustedException"/> for the built-in strategies, anything for
/// <see cref="WaitStrategy.FromDelegate{TState}"/>) → write FAIL with that error and throw. The decision is checkpointed,
/// so jitter is never re-rolled on replay.
/// </para>
/// <para>
/// <b>Polarity.</b> The predicate is <c>shouldContinuePolling(state)</c> as in Python and JS: <c>true</c> means "not done
/// yet, poll again". It is checked <b>before</b> the attempt budget, so a condition met on the last attempt succeeds.
/// The AWS .NET SDK's <c>isDone</c> is the inverse; pass <c>s =&gt; !isDone(s)</c>.
/// </para>
/// </remarks>
public abstract class WaitStrategy<TState>
{
    private protected WaitStrategy(int maxAttempts)
    {
        RetryMath.CheckMaxAttempts(maxAttempts, nameof(maxAttempts));
        MaxAttempts = maxAttempts;
    }

    /// <summary>Total polls allowed, including the first.</summary>
    public int MaxAttempts { get; }

    /// <summary>Decides after one poll.</summary>
    /// <param name="state">The state the check just returned.</param>
    /// <param name="attempt">The 1-based attempt that just ran.</param>
    /// <returns><see cref="WaitDecision.Stop"/> or <see cref="WaitDecision.ContinueAfter"/>.</returns>
    /// <exception cref="WaitForConditionExhaustedException">The condition is unmet and <c>attempt ≥ MaxAttempts</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempt"/> is below 1.</exception>
    public abstract WaitDecision Decide(TState state, int attempt);
}

/// <summary>Factories for <see cref="WaitStrategy{TState}"/>.</summary>
public static class WaitStrategy
{
    /// <summary>
    /// Exponential polling (Python <c>WaitStrategyConfig</c>, JS <c>createWaitStrategy</c>): continue after
    /// <c>max(1, ceil(jitter(min(initialDelay × backoffRate^(attempt−1), maxDelay))))</c> seconds.
    /// Defaults: 60 attempts, 5 s, 300 s, ×1.5, Full jitter.
    /// </summary>
    /// <typeparam name="TState">The polled state.</typeparam>
    /// <param name="shouldContinuePolling">True while the condition is unmet; checked first.</param>
    /// <param name="maxAttempts">Total polls (≥ 1).</param>
    /// <param name="initialDelay">Delay after the first poll (&gt; 0); default 5 s.</param>
    /// <param name="maxDelay">Cap (≥ initial); default 300 s.</param>
    /// <param name="backoffRate">Multiplier (finite, ≥ 1).</param>
    /// <param name="jitter">Jitter.</param>
    /// <param name="random">Jitter source; default <see cref="RandomSource.Shared"/>.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentException">A parameter is out of range; the message names it and the allowed range.</exception>
    public static WaitStrategy<TState> Exponential<TState>(
        Func<TState, bool> shouldContinuePolling,
        int maxAttempts = 60,
        TimeSpan? initialDelay = null,
        TimeSpan? maxDelay = null,
        double backoffRate = 1.5,
        JitterStrategy jitter = JitterStrategy.Full,
        IRandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(shouldContinuePolling);
        var initial = initialDelay ?? TimeSpan.FromSeconds(5);
        var max = maxDelay ?? TimeSpan.FromSeconds(300);
        RetryMath.CheckPositiveDelay(initial, nameof(initialDelay));
        RetryMath.CheckPositiveDelay(max, nameof(maxDelay));
        if (max < initial)
        {
            throw new ArgumentException($"maxDelay must be ≥ initialDelay ({initial.TotalSeconds} s) (was {max.TotalSeconds} s).", nameof(maxDelay));
        }

        if (!double.IsFinite(backoffRate) || backoffRate < 1)
        {
            throw new ArgumentException($"backoffRate must be a finite number ≥ 1 (was {backoffRate}).", nameof(backoffRate));
        }

        RetryMath.CheckJitter(jitter, nameof(jitter));
        var source = random ?? RandomSource.Shared;
        return new FormulaWaitStrategy<TState>(
            shouldContinuePolling,
            maxAttempts,
            attempt => RetryMath.ToWholeSeconds(RetryMath.ApplyJitter(
                Math.Min(initial.TotalSeconds * Math.Pow(backoffRate, attempt - 1), max.TotalSeconds), jitter, source)));
    }

    /// <summary>
    /// Linear polling (.NET <c>WaitStrategy.Linear</c>): continue after <c>max(1, ceil(min(initialDelay + increment ×
    /// (attempt−1), maxDelay)))</c> seconds, no jitter. Defaults: 60 attempts, 5 s, +5 s, no cap.
    /// </summary>
    /// <typeparam name="TState">The polled state.</typeparam>
    /// <param name="shouldContinuePolling">True while the condition is unmet; checked first.</param>
    /// <param name="maxAttempts">Total polls (≥ 1).</param>
    /// <param name="initialDelay">Delay after the first poll (&gt; 0); default 5 s.</param>
    /// <param name="increment">Added per poll (≥ 0); default 5 s.</param>
    /// <param name="maxDelay">Optional cap (≥ initial); null means only the service maximum.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentException">A parameter is out of range; the message names it and the allowed range.</exception>
    public static WaitStrategy<TState> Linear<TState>(
        Func<TState, bool> shouldContinuePolling,
        int maxAttempts = 60,
        TimeSpan? initialDelay = null,
        TimeSpan? increment = null,
        TimeSpan? maxDelay = null)
    {
        ArgumentNullException.ThrowIfNull(shouldContinuePolling);
        var initial = initialDelay ?? TimeSpan.FromSeconds(5);
        var step = increment ?? TimeSpan.FromSeconds(5);
        RetryMath.CheckPositiveDelay(initial, nameof(initialDelay));
        RetryMath.CheckNonNegativeDelay(step, nameof(increment));
        var cap = double.MaxValue;
        if (maxDelay is { } max)
        {
            RetryMath.CheckPositiveDelay(max, nameof(maxDelay));
            if (max < initial)
            {
                throw new ArgumentException($"maxDelay must be ≥ initialDelay ({initial.TotalSeconds} s) (was {max.TotalSeconds} s).", nameof(maxDelay));
            }

            cap = max.TotalSeconds;
        }

        return new FormulaWaitStrategy<TState>(
            shouldContinuePolling,
            maxAttempts,
            attempt => RetryMath.ToWholeSeconds(Math.Min(initial.TotalSeconds + (step.TotalSeconds * (attempt - 1)), cap)));
    }

    /// <summary>
    /// Fixed polling (.NET <c>WaitStrategy.Fixed</c>): continue after <c>max(1, ceil(delay))</c> seconds. Default 60 attempts.
    /// </summary>
    /// <typeparam name="TState">The polled state.</typeparam>
    /// <param name="shouldContinuePolling">True while the condition is unmet; checked first.</param>
    /// <param name="delay">The interval (&gt; 0).</param>
    /// <param name="maxAttempts">Total polls (≥ 1).</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentException">A parameter is out of range; the message names it and the allowed range.</exception>
    public static WaitStrategy<TState> Fixed<TState>(Func<TState, bool> shouldContinuePolling, TimeSpan delay, int maxAttempts = 60)
    {
        ArgumentNullException.ThrowIfNull(shouldContinuePolling);
        RetryMath.CheckPositiveDelay(delay, nameof(delay));
        var seconds = RetryMath.ToWholeSeconds(delay.TotalSeconds);
        return new FormulaWaitStrategy<TState>(shouldContinuePolling, maxAttempts, _ => seconds);
    }

    /// <summary>
    /// A strategy from a delegate, called for every poll with <c>(state, attempt)</c>; it owns both the stop test and
    /// the budget (throw to fail). <see cref="WaitStrategy{TState}.MaxAttempts"/> reports <see cref="int.MaxValue"/>.
    /// </summary>
    /// <typeparam name="TState">The polled state.</typeparam>
    /// <param name="decide">The decision function.</param>
    /// <returns>The strategy.</returns>
    public static WaitStrategy<TState> FromDelegate<TState>(Func<TState, int, WaitDecision> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        return new DelegateWaitStrategy<TState>(decide);
    }

    private sealed class FormulaWaitStrategy<TState>(Func<TState, bool> shouldContinuePolling, int maxAttempts, Func<int, int> delaySeconds)
        : WaitStrategy<TState>(maxAttempts)
    {
        public override WaitDecision Decide(TState state, int attempt)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
            if (!shouldContinuePolling(state))
            {
                return WaitDecision.Stop;
            }

            if (attempt >= MaxAttempts)
            {
                throw new WaitForConditionExhaustedException(attempt, MaxAttempts);
            }

            return WaitDecision.ContinueAfter(delaySeconds(attempt));
        }
    }

    private sealed class DelegateWaitStrategy<TState>(Func<TState, int, WaitDecision> decide) : WaitStrategy<TState>(int.MaxValue)
    {
        public override WaitDecision Decide(TState state, int attempt)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
            return decide(state, attempt);
        }
    }
}
