namespace Durable.Fluent.Retries;

/// <summary>
/// How a computed backoff delay is randomised before it is rounded up to whole seconds (spec §f step 4).
/// </summary>
public enum JitterStrategy
{
    /// <summary>No jitter: the delay is the computed base delay.</summary>
    None = 0,

    /// <summary>Full jitter: <c>random[0,1) × base</c>, so the rounded delay lies in <c>1 … ceil(base)</c>.</summary>
    Full = 1,

    /// <summary>
    /// Half ("equal") jitter: <c>base/2 + random[0,1) × base/2</c>, so the rounded delay lies in
    /// <c>max(1, ceil(base/2)) … ceil(base)</c>.
    /// </summary>
    Half = 2,
}
