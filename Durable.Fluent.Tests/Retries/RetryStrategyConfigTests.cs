using System.Text.RegularExpressions;
using Durable.Fluent.Retries;

namespace Durable.Fluent.Tests.Retries;

public sealed class TransientError(string message) : Exception(message);

public sealed class SpecificTransientError(string message) : Exception(message);

[TestFixture]
public class RetryStrategyConfigTests
{
    internal const double AlmostOne = 0.999999;

    internal static int[] Delays(IRetryStrategy strategy, Exception? error = null)
    {
        var delays = new List<int>();
        for (var attempt = 1; ; attempt++)
        {
            var decision = strategy.Decide(new RetryContext(error ?? new InvalidOperationException("boom"), attempt, "step"));
            if (!decision.ShouldRetry)
            {
                return [.. delays];
            }

            delays.Add(decision.DelaySeconds);
        }
    }

    private static IRandomSource Fixed(double r) => RandomSource.Fixed(r);

    [Test]
    public void Defaults_AreTheDocumentedRecordDefaults()
    {
        var config = new RetryStrategyConfig();
        Assert.Multiple(() =>
        {
            Assert.That(config.MaxAttempts, Is.EqualTo(3));
            Assert.That(config.InitialDelay, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(config.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(300)));
            Assert.That(config.BackoffRate, Is.EqualTo(2.0));
            Assert.That(config.Jitter, Is.EqualTo(JitterStrategy.Full));
            Assert.That(config.RetriesEveryError, Is.True);
            Assert.That(config.Random, Is.SameAs(RandomSource.Shared));
        });
    }

    [Test]
    public void JitterNone_ExactSequence_CappedAtMax()
    {
        var config = new RetryStrategyConfig { MaxAttempts = 8, InitialDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(60), Jitter = JitterStrategy.None };
        Assert.That(Delays(config), Is.EqualTo(new[] { 5, 10, 20, 40, 60, 60, 60 }));
    }

    [Test]
    public void FractionalBaseDelay_IsRoundedUp()
    {
        var config = new RetryStrategyConfig { MaxAttempts = 4, InitialDelay = TimeSpan.FromSeconds(0.2), BackoffRate = 3, Jitter = JitterStrategy.None };
        Assert.That(Delays(config), Is.EqualTo(new[] { 1, 1, 2 })); // 0.2, 0.6, 1.8
    }

    [Test]
    public void Conformance_1_14_TwoSecondsTimesThreeNoJitter()
    {
        var config = new RetryStrategyConfig { MaxAttempts = 5, InitialDelay = TimeSpan.FromSeconds(2), BackoffRate = 3, Jitter = JitterStrategy.None };
        var delays = Delays(config);
        Assert.That(delays.Take(2), Is.EqualTo(new[] { 2, 6 }));
        Assert.That(delays, Is.EqualTo(new[] { 2, 6, 18, 54 }));
    }

    [Test]
    public void Conformance_1_12_FourAttemptsWithOneSecondDelays()
    {
        var config = new RetryStrategyConfig { MaxAttempts = 4, InitialDelay = TimeSpan.FromSeconds(1), BackoffRate = 1, Jitter = JitterStrategy.None };
        Assert.That(Delays(config), Is.EqualTo(new[] { 1, 1, 1 }));
        Assert.That(config.Decide(new RetryContext(new InvalidOperationException("x"), 4, null)), Is.EqualTo(RetryDecision.Stop));
    }

    [TestCase(0.0)]
    [TestCase(0.5)]
    [TestCase(AlmostOne)]
    public void Conformance_1_13_DefaultPresetFirstDelaysMatchTheYamlRanges(double r)
    {
        var config = RetryPresets.Default.WithRandom(Fixed(r));
        var first = config.Decide(new RetryContext(new InvalidOperationException("x"), 1, null));
        var second = config.Decide(new RetryContext(new InvalidOperationException("x"), 2, null));
        Assert.Multiple(() =>
        {
            Assert.That(first.DelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), Does.Match("^[0-5]$"));
            Assert.That(second.DelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), Does.Match("^([0-9]|10)$"));
            Assert.That(first.ShouldRetry && second.ShouldRetry, Is.True);
        });
    }

    [Test]
    public void Conformance_1_15_RetriesOnlyTheConfiguredType()
    {
        var config = new RetryStrategyConfig { InitialDelay = TimeSpan.FromSeconds(1), Jitter = JitterStrategy.None }.RetryOn<TransientError>();
        Assert.Multiple(() =>
        {
            Assert.That(config.Decide(new RetryContext(new TransientError("flaky"), 1, null)), Is.EqualTo(RetryDecision.RetryAfter(1)));
            Assert.That(config.Decide(new RetryContext(new InvalidOperationException("flaky"), 1, null)), Is.EqualTo(RetryDecision.Stop));
        });
    }

    [TestCase(0.0, new[] { 1, 1, 1, 1, 1 })]
    [TestCase(0.5, new[] { 3, 5, 10, 20, 30 })]
    [TestCase(AlmostOne, new[] { 5, 10, 20, 40, 60 })]
    public void FullJitter_IsBetweenOneAndCeilBase(double r, int[] expected)
    {
        var delays = Delays(RetryPresets.Default.WithRandom(Fixed(r)));
        Assert.That(delays, Is.EqualTo(expected));
        var bases = new[] { 5, 10, 20, 40, 60 };
        for (var i = 0; i < bases.Length; i++)
        {
            Assert.That(delays[i], Is.InRange(1, bases[i]));
        }
    }

    [TestCase(0.0, new[] { 3, 5 })]
    [TestCase(0.5, new[] { 4, 8 })]
    [TestCase(AlmostOne, new[] { 5, 10 })]
    public void HalfJitter_IsBetweenCeilHalfBaseAndCeilBase(double r, int[] expected)
    {
        var delays = Delays(RetryPresets.Transient.WithRandom(Fixed(r)));
        Assert.That(delays, Is.EqualTo(expected));
        Assert.That(delays[0], Is.InRange(3, 5));
        Assert.That(delays[1], Is.InRange(5, 10));
    }

    [Test]
    public void Jitter_DrawsFromTheInjectedSourceOncePerDecision()
    {
        var calls = 0;
        var config = RetryPresets.Default with { Random = RandomSource.FromDelegate(() => { calls++; return 0.5; }) };
        _ = Delays(config);
        Assert.That(calls, Is.EqualTo(5));
    }

    [Test]
    public void RandomSourceOutOfRange_IsRejected()
    {
        var config = RetryPresets.Default with { Random = RandomSource.FromDelegate(() => 1.5) };
        Assert.That(() => config.Decide(new RetryContext(new InvalidOperationException(), 1, null)), Throws.InvalidOperationException);
    }

    [TestCase(1, true)]
    [TestCase(2, true)]
    [TestCase(3, false)]
    [TestCase(4, false)]
    public void Exhaustion_StopsWhenAttemptsMadeReachesMax(int attemptsMade, bool retries)
    {
        var config = new RetryStrategyConfig { MaxAttempts = 3 };
        Assert.That(config.Decide(new RetryContext(new InvalidOperationException(), attemptsMade, null)).ShouldRetry, Is.EqualTo(retries));
    }

    [Test]
    public void MaxAttemptsOne_NeverRetries()
    {
        Assert.That(Delays(RetryPresets.None), Is.Empty);
    }

    [Test]
    public void AttemptsMadeBelowOne_Throws()
    {
        Assert.That(() => new RetryStrategyConfig().Decide(new RetryContext(new InvalidOperationException(), 0, null)), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void NoFilter_EveryErrorIsRetryable()
    {
        var config = new RetryStrategyConfig();
        Assert.Multiple(() =>
        {
            Assert.That(config.IsRetryable(new InvalidOperationException("a")), Is.True);
            Assert.That(config.IsRetryable(new TimeoutException("b")), Is.True);
            Assert.That(config.IsRetryable(new OperationCanceledException("c")), Is.True);
        });
    }

    [Test]
    public void MessageFilter_PlainStringIsASubstringTest_NotARegex()
    {
        var config = new RetryStrategyConfig().RetryOnMessage("rate.limit");
        Assert.Multiple(() =>
        {
            Assert.That(config.IsRetryable(new InvalidOperationException("hit rate.limit now")), Is.True);
            Assert.That(config.IsRetryable(new InvalidOperationException("hit rateXlimit now")), Is.False, "'.' is literal");
            Assert.That(config.IsRetryable(new InvalidOperationException("RATE.LIMIT")), Is.False, "case-sensitive");
        });
    }

    [Test]
    public void MessageFilter_RegexUsesIsMatch()
    {
        var config = new RetryStrategyConfig { RetryableErrorMessages = [new Regex("^HTTP 5\\d\\d")] };
        Assert.Multiple(() =>
        {
            Assert.That(config.IsRetryable(new InvalidOperationException("HTTP 503 unavailable")), Is.True);
            Assert.That(config.IsRetryable(new InvalidOperationException("HTTP 404")), Is.False);
            Assert.That(config.IsRetryable(new InvalidOperationException("got HTTP 503")), Is.False);
        });
    }

    [Test]
    public void TypeFilter_MatchesSubclasses()
    {
        var config = new RetryStrategyConfig { RetryableErrorTypes = [typeof(ArgumentException)] };
        Assert.Multiple(() =>
        {
            Assert.That(config.IsRetryable(new ArgumentException("x")), Is.True);
            Assert.That(config.IsRetryable(new ArgumentNullException("p")), Is.True);
            Assert.That(config.IsRetryable(new InvalidOperationException("x")), Is.False);
        });
    }

    [Test]
    public void BothFilters_AnyMatchIsRetryable()
    {
        var config = new RetryStrategyConfig().RetryOn<TimeoutException>().RetryOnMessage("throttled");
        Assert.Multiple(() =>
        {
            Assert.That(config.IsRetryable(new TimeoutException("t")), Is.True);
            Assert.That(config.IsRetryable(new InvalidOperationException("request throttled")), Is.True);
            Assert.That(config.IsRetryable(new InvalidOperationException("bad input")), Is.False);
            Assert.That(config.Decide(new RetryContext(new InvalidOperationException("bad input"), 1, null)), Is.EqualTo(RetryDecision.Stop));
        });
    }

    [Test]
    public void FluentHelpers_DoNotMutateTheOriginal()
    {
        var original = new RetryStrategyConfig();
        var derived = original.RetryOn<TimeoutException>();
        Assert.Multiple(() =>
        {
            Assert.That(original.RetryableErrorTypes, Is.Empty);
            Assert.That(derived.RetryableErrorTypes, Is.EqualTo(new[] { typeof(TimeoutException) }));
        });
    }

    [Test]
    public void PredicateBuilder_IsAPollyPredicate()
    {
        var predicate = new RetryStrategyConfig().RetryOn<TimeoutException>().CreatePredicateBuilder().Build();
        Assert.Multiple(() =>
        {
            Assert.That(predicate(Polly.Outcome.FromException<object>(new TimeoutException())), Is.True);
            Assert.That(predicate(Polly.Outcome.FromException<object>(new InvalidOperationException())), Is.False);
        });
    }

    [Test]
    public async Task DelayGenerator_UsesZeroBasedAttemptNumber()
    {
        var generator = new RetryStrategyConfig { Jitter = JitterStrategy.None }.CreateDelayGenerator();
        var context = Polly.ResilienceContextPool.Shared.Get(CancellationToken.None);
        try
        {
            var outcome = Polly.Outcome.FromException<object>(new InvalidOperationException());
            var first = await generator(new Polly.Retry.RetryDelayGeneratorArguments<object>(context, outcome, 0));
            var third = await generator(new Polly.Retry.RetryDelayGeneratorArguments<object>(context, outcome, 2));
            Assert.That(first, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(third, Is.EqualTo(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            Polly.ResilienceContextPool.Shared.Return(context);
        }
    }

    [Test]
    public void ToPollyOptions_MapsMaxAttemptsAndDelays()
    {
        var options = new RetryStrategyConfig { MaxAttempts = 4 }.ToPollyOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.MaxRetryAttempts, Is.EqualTo(3));
            Assert.That(options.DelayGenerator, Is.Not.Null);
            Assert.That(options.UseJitter, Is.False);
        });
    }

    [Test]
    public void Record_SupportsWithExpressions()
    {
        var config = RetryPresets.Default with { MaxAttempts = 4 };
        Assert.Multiple(() =>
        {
            Assert.That(config.MaxAttempts, Is.EqualTo(4));
            Assert.That(config.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(RetryPresets.Default.MaxAttempts, Is.EqualTo(6));
        });
    }
}
