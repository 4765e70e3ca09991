using Polly;
using Polly.Retry;

namespace Durable.Fluent.Retries;

/// <summary>
/// What every documented retry configuration shares: the attempt budget, the jitter, the retryable-error filters and
/// the random source. <see cref="RetryStrategyConfig"/> (exponential) and <see cref="LinearRetryStrategyConfig"/> differ
/// only in their base-delay formula.
/// </summary>
/// <remarks>
/// <para>
/// <b>Decision</b> (spec §f) for <c>(error, attemptsMade)</c>, where <c>attemptsMade</c> includes the attempt that just
/// failed: (1) <c>attemptsMade ≥ MaxAttempts</c> → stop; (2) the error is not retryable → stop; (3) compute the base
/// delay; (4) apply <see cref="Jitter"/>; (5) round with <c>max(1, ceil(x))</c> (Python and .NET; JS uses
/// <c>Math.round</c>); the result is also capped at 31,622,400 s, the service maximum.
/// </para>
/// <para>
/// <b>Polly inside.</b> The retryable-error test is a Polly <see cref="PredicateBuilder{TResult}"/> built from the
/// filters (<see cref="CreatePredicateBuilder"/>) and evaluated on an <see cref="Outcome{TResult}"/> carrying the
/// exception; the delay is produced by a Polly delay generator (<see cref="CreateDelayGenerator"/>) whose zero-based
/// <c>AttemptNumber</c> is <c>attemptsMade − 1</c>. <see cref="ToPollyOptions"/> hands the same behaviour to an
/// in-process Polly pipeline.
/// </para>
/// <para>
/// <b>Validation.</b> Every property validates its own range in its <c>init</c> accessor, so <c>new</c> and
/// <c>with</c> expressions throw <see cref="ArgumentException"/> at once. Rules spanning two properties (for example
/// <c>MaxDelay ≥ InitialDelay</c>) cannot be checked in an accessor because a <c>with</c> expression may set them in
/// either order; they are checked by <see cref="Validate"/>, which <see cref="Decide"/>, <see cref="CreateDelayGenerator"/>
/// and <see cref="ToPollyOptions"/> call first, so an invalid configuration can never produce a decision. Call
/// <see cref="Validate"/> where you build step options to fail fast.
/// </para>
/// <para>
/// <b>Randomness and replay.</b> Jitter draws from <see cref="Random"/> (default <see cref="RandomSource.Shared"/>). The
/// interpreter checkpoints the chosen delay and never asks again for the same attempt, so jitter is not re-rolled on replay.
/// </para>
/// </remarks>
public abstract record RetryStrategyConfigBase : IRetryStrategy
{
    private readonly int _maxAttempts = 3;
    private readonly JitterStrategy _jitter = JitterStrategy.Full;
    private readonly IReadOnlyList<ErrorMessagePattern> _messages = [];
    private readonly IReadOnlyList<Type> _types = [];
    private readonly IRandomSource _random = RandomSource.Shared;

    /// <summary>Creates a configuration with the given attempt budget; properties keep their documented defaults.</summary>
    /// <param name="maxAttempts">Total attempts, including the first (≥ 1).</param>
    private protected RetryStrategyConfigBase(int maxAttempts)
    {
        MaxAttempts = maxAttempts;
    }

    /// <summary>
    /// Total attempts including the first one; at least 1 (1 means never retry). A failure with
    /// <c>attemptsMade ≥ MaxAttempts</c> is not retried.
    /// </summary>
    /// <exception cref="ArgumentException">The value is below 1.</exception>
    public int MaxAttempts
    {
        get => _maxAttempts;
        init
        {
            RetryMath.CheckMaxAttempts(value, nameof(MaxAttempts));
            _maxAttempts = value;
        }
    }

    /// <summary>How the base delay is randomised. Default <see cref="JitterStrategy.Full"/>.</summary>
    /// <exception cref="ArgumentException">The value is not a defined <see cref="JitterStrategy"/>.</exception>
    public JitterStrategy Jitter
    {
        get => _jitter;
        init
        {
            RetryMath.CheckJitter(value, nameof(Jitter));
            _jitter = value;
        }
    }

    /// <summary>
    /// Message patterns that make an error retryable: plain strings are substring tests, <see cref="System.Text.RegularExpressions.Regex"/>
    /// instances use <c>IsMatch</c> (see <see cref="ErrorMessagePattern"/>). When this and <see cref="RetryableErrorTypes"/>
    /// are both empty (the default) every error is retryable; when either is non-empty an error is retryable only if it
    /// matches a pattern or a type.
    /// </summary>
    /// <exception cref="ArgumentException">The list is null or contains null.</exception>
    public IReadOnlyList<ErrorMessagePattern> RetryableErrorMessages
    {
        get => _messages;
        init
        {
            if (value is null || value.Any(p => p is null))
            {
                throw new ArgumentException($"{nameof(RetryableErrorMessages)} must be a list without null entries.", nameof(RetryableErrorMessages));
            }

            _messages = [.. value];
        }
    }

    /// <summary>
    /// Exception types that make an error retryable, tested with <see cref="Type.IsAssignableFrom(Type)"/> (so subclasses
    /// match). See <see cref="RetryableErrorMessages"/> for how the two filters combine.
    /// </summary>
    /// <exception cref="ArgumentException">The list is null, contains null or a type that is not an <see cref="Exception"/>.</exception>
    public IReadOnlyList<Type> RetryableErrorTypes
    {
        get => _types;
        init
        {
            if (value is null || value.Any(t => t is null || !typeof(Exception).IsAssignableFrom(t)))
            {
                throw new ArgumentException(
                    $"{nameof(RetryableErrorTypes)} must be a list of types deriving from System.Exception, without null entries.",
                    nameof(RetryableErrorTypes));
            }

            _types = [.. value];
        }
    }

    /// <summary>The jitter source. Default <see cref="RandomSource.Shared"/>; inject a fixed source in tests.</summary>
    /// <exception cref="ArgumentException">The value is null.</exception>
    public IRandomSource Random
    {
        get => _random;
        init => _random = value ?? throw new ArgumentException($"{nameof(Random)} must not be null.", nameof(Random));
    }

    /// <summary>Whether neither filter is set, so every error is retryable.</summary>
    public bool RetriesEveryError => _messages.Count == 0 && _types.Count == 0;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A cross-property rule is violated (see <see cref="Validate"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RetryContext.AttemptsMade"/> is below 1.</exception>
    public RetryDecision Decide(RetryContext context)
    {
        ArgumentNullException.ThrowIfNull(context.Error);
        if (context.AttemptsMade < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(context), context.AttemptsMade, "AttemptsMade counts the attempt that just failed, so it is at least 1.");
        }

        var generator = CreateDelayGenerator();
        if (context.AttemptsMade >= MaxAttempts || !IsRetryable(context.Error))
        {
            return RetryDecision.Stop;
        }

        var resilienceContext = ResilienceContextPool.Shared.Get(context.OperationName ?? string.Empty, CancellationToken.None);
        try
        {
            var delay = RetryMath.Await(generator(new RetryDelayGeneratorArguments<object>(
                resilienceContext, Outcome.FromException<object>(context.Error), context.AttemptsMade - 1)));
            return RetryDecision.RetryAfter(RetryMath.ToWholeSeconds(delay!.Value.TotalSeconds));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilienceContext);
        }
    }

    /// <summary>
    /// Whether <paramref name="error"/> passes the filters (step 2 of the decision), evaluated through the Polly predicate
    /// from <see cref="CreatePredicateBuilder"/>.
    /// </summary>
    /// <param name="error">The error.</param>
    /// <returns>Whether it may be retried (the attempt budget is not considered).</returns>
    public bool IsRetryable(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return CreatePredicateBuilder().Build()(Outcome.FromException<object>(error));
    }

    /// <summary>
    /// Builds the Polly predicate for the filters: one <c>Handle&lt;Exception&gt;(…)</c> clause per message pattern and per
    /// type, or a single <c>Handle&lt;Exception&gt;()</c> when no filter is set. It converts implicitly to
    /// <see cref="RetryStrategyOptions{TResult}.ShouldHandle"/>.
    /// </summary>
    /// <returns>A new builder.</returns>
    public PredicateBuilder<object> CreatePredicateBuilder()
    {
        var builder = new PredicateBuilder<object>();
        if (RetriesEveryError)
        {
            return builder.Handle<Exception>();
        }

        foreach (var pattern in _messages)
        {
            builder.Handle<Exception>(e => pattern.IsMatch(e.Message));
        }

        foreach (var type in _types)
        {
            builder.Handle<Exception>(type.IsInstanceOfType);
        }

        return builder;
    }

    /// <summary>
    /// Creates the Polly delay generator implementing steps 3–5: for zero-based <c>AttemptNumber</c> <c>k</c> (so
    /// <c>attemptsMade = k + 1</c>) it returns <c>max(1, ceil(jitter(base(k + 1))))</c> whole seconds, drawing from
    /// <see cref="Random"/> once per call when jitter is on. It never returns null.
    /// </summary>
    /// <returns>The generator.</returns>
    /// <exception cref="ArgumentException">A cross-property rule is violated (see <see cref="Validate"/>).</exception>
    public Func<RetryDelayGeneratorArguments<object>, ValueTask<TimeSpan?>> CreateDelayGenerator()
    {
        Validate();
        var jitter = Jitter;
        var random = Random;
        return args =>
        {
            var attemptsMade = Math.Max(1, args.AttemptNumber + 1);
            var seconds = RetryMath.ToWholeSeconds(RetryMath.ApplyJitter(BaseDelaySeconds(attemptsMade), jitter, random));
            return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(seconds));
        };
    }

    /// <summary>
    /// The delay, in whole seconds, before the attempt after <paramref name="attemptsMade"/> failed attempts, ignoring the
    /// attempt budget and the filters (draws from <see cref="Random"/> once when jitter is on).
    /// </summary>
    /// <param name="attemptsMade">Attempts made so far (≥ 1).</param>
    /// <returns>The delay, at least 1.</returns>
    public int GetDelaySeconds(int attemptsMade)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptsMade, 1);
        return RetryMath.ToWholeSeconds(RetryMath.ApplyJitter(BaseDelaySeconds(attemptsMade), Jitter, Random));
    }

    /// <summary>
    /// The same behaviour as Polly options for an in-process pipeline: <c>MaxRetryAttempts = MaxAttempts − 1</c>,
    /// <c>ShouldHandle</c> from <see cref="CreatePredicateBuilder"/>, <c>DelayGenerator</c> from
    /// <see cref="CreateDelayGenerator"/> (whole seconds), <c>UseJitter = false</c> (the generator already jitters).
    /// </summary>
    /// <returns>New options. <c>MaxAttempts = 1</c> gives <c>MaxRetryAttempts = 0</c>, which Polly's own validation rejects;
    /// do not add such a pipeline.</returns>
    public RetryStrategyOptions ToPollyOptions()
    {
        Validate();
        return new RetryStrategyOptions
        {
            MaxRetryAttempts = MaxAttempts - 1,
            ShouldHandle = CreatePredicateBuilder(),
            DelayGenerator = CreateDelayGenerator(),
            BackoffType = DelayBackoffType.Constant,
            UseJitter = false,
        };
    }

    /// <summary>
    /// Checks the rules that span several properties (single-property ranges are checked when set).
    /// </summary>
    /// <exception cref="ArgumentException">A rule is violated; the message names the field and the allowed range.</exception>
    public void Validate() => ValidateCrossFields();

    /// <summary>The base delay in seconds for <paramref name="attemptsMade"/> (step 3), before jitter and rounding.</summary>
    /// <param name="attemptsMade">Attempts made, at least 1.</param>
    /// <returns>The base delay, already capped at the configured maximum.</returns>
    protected abstract double BaseDelaySeconds(int attemptsMade);

    /// <summary>Checks the rules spanning several properties; throws <see cref="ArgumentException"/>.</summary>
    protected abstract void ValidateCrossFields();

    /// <summary>Adds a retryable type to a copy (used by the fluent helpers of derived records).</summary>
    /// <param name="type">The exception type.</param>
    /// <returns>The new type list.</returns>
    private protected IReadOnlyList<Type> WithType(Type type) => [.. _types, type];

    /// <summary>Adds a message pattern to a copy (used by the fluent helpers of derived records).</summary>
    /// <param name="pattern">The pattern.</param>
    /// <returns>The new pattern list.</returns>
    private protected IReadOnlyList<ErrorMessagePattern> WithMessage(ErrorMessagePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return [.. _messages, pattern];
    }
}
