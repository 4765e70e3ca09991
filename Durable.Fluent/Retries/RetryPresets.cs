namespace Durable.Fluent.Retries;

/// <summary>
/// Ready-made retry configurations (spec §f "Presets"). Each property returns an immutable configuration; derive
/// variants with <c>with</c>, for example <c>RetryPresets.Default with { MaxAttempts = 3 }</c>.
/// </summary>
public static class RetryPresets
{
    /// <summary>
    /// What a step uses when it has no strategy (Python, JS and .NET agree): 6 attempts, 5 s initial, 60 s max, ×2,
    /// Full jitter, every error retryable. Delays: 1…5, 1…10, 1…20, 1…40, 1…60 s.
    /// </summary>
    public static RetryStrategyConfig Default { get; } = new()
    {
        MaxAttempts = 6,
        InitialDelay = TimeSpan.FromSeconds(5),
        MaxDelay = TimeSpan.FromSeconds(60),
        BackoffRate = 2,
        Jitter = JitterStrategy.Full,
    };

    /// <summary>Never retry: 1 attempt (Python <c>none</c>, JS <c>noRetry</c>, .NET <c>None</c>).</summary>
    public static RetryStrategyConfig None { get; } = new() { MaxAttempts = 1 };

    /// <summary>
    /// Transient faults, following <b>Python</b> <c>transient()</c>: 3 attempts, 5 s initial, 300 s max, ×2, Half jitter
    /// (delays 3…5 then 5…10 s).
    /// </summary>
    /// <remarks>
    /// SDK difference: the AWS .NET SDK's <c>Transient</c> uses 1 s initial and 5 s max. We follow Python, the source of
    /// the other presets, so a workflow ported from Python keeps its delays. For the .NET timing use
    /// <c>RetryPresets.Transient with { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(5) }</c>.
    /// </remarks>
    public static RetryStrategyConfig Transient { get; } = new()
    {
        MaxAttempts = 3,
        InitialDelay = TimeSpan.FromSeconds(5),
        MaxDelay = TimeSpan.FromSeconds(300),
        BackoffRate = 2,
        Jitter = JitterStrategy.Half,
    };

    /// <summary>Waiting for a resource to become available (Python <c>resource_availability()</c>): 5 attempts, 5 s, 300 s, ×2, Full jitter.</summary>
    public static RetryStrategyConfig ResourceAvailability { get; } = new()
    {
        MaxAttempts = 5,
        InitialDelay = TimeSpan.FromSeconds(5),
        MaxDelay = TimeSpan.FromSeconds(300),
        BackoffRate = 2,
        Jitter = JitterStrategy.Full,
    };

    /// <summary>
    /// Critical operations (Python <c>critical()</c>): 10 attempts, 1 s, 60 s max, ×1.5, no jitter. Delays: 1, 2, 3, 4,
    /// 6, 8, 12, 18, 26 s.
    /// </summary>
    public static RetryStrategyConfig Critical { get; } = new()
    {
        MaxAttempts = 10,
        InitialDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(60),
        BackoffRate = 1.5,
        Jitter = JitterStrategy.None,
    };

    /// <summary>Linear backoff (Python <c>linear()</c>): 6 attempts, 1 s + 1 s per attempt, no jitter. Delays: 1, 2, 3, 4, 5 s.</summary>
    public static LinearRetryStrategyConfig Linear { get; } = new()
    {
        MaxAttempts = 6,
        InitialDelay = TimeSpan.FromSeconds(1),
        Increment = TimeSpan.FromSeconds(1),
        Jitter = JitterStrategy.None,
    };

    /// <summary>
    /// A fixed interval (Python <c>fixed(interval)</c>): 5 attempts, initial = max = <paramref name="interval"/>, ×1, no
    /// jitter, so every delay is <c>max(1, ceil(interval))</c>.
    /// </summary>
    /// <param name="interval">The interval; default 5 s. Must be &gt; 0 and ≤ 366 days.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ArgumentException"><paramref name="interval"/> is out of range.</exception>
    public static RetryStrategyConfig Fixed(TimeSpan? interval = null)
    {
        var value = interval ?? TimeSpan.FromSeconds(5);
        return new RetryStrategyConfig
        {
            MaxAttempts = 5,
            InitialDelay = value,
            MaxDelay = value,
            BackoffRate = 1,
            Jitter = JitterStrategy.None,
        };
    }
}
