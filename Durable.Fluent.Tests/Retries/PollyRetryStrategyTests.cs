using Durable.Fluent.Retries;
using Polly;
using Polly.Retry;

namespace Durable.Fluent.Tests.Retries;

[TestFixture]
public class PollyRetryStrategyTests
{
    private static RetryDecision Decide(IRetryStrategy s, int attemptsMade, Exception? error = null) =>
        s.Decide(new RetryContext(error ?? new InvalidOperationException("x"), attemptsMade, "op"));

    [Test]
    public void MaxRetryAttempts_IsRetriesAfterTheFirstAttempt()
    {
        var s = RetryStrategyConfig.FromPolly(new RetryStrategyOptions { MaxRetryAttempts = 3, Delay = TimeSpan.FromSeconds(1) });
        Assert.Multiple(() =>
        {
            Assert.That(s.MaxAttempts, Is.EqualTo(4));
            Assert.That(RetryStrategyConfigTests.Delays(s), Is.EqualTo(new[] { 1, 1, 1 }));
        });
    }

    [Test]
    public void Constant() =>
        Assert.That(
            RetryStrategyConfigTests.Delays(new PollyRetryStrategy(new RetryStrategyOptions { MaxRetryAttempts = 3, Delay = TimeSpan.FromSeconds(2), BackoffType = DelayBackoffType.Constant })),
            Is.EqualTo(new[] { 2, 2, 2 }));

    [Test]
    public void Linear() =>
        Assert.That(
            RetryStrategyConfigTests.Delays(new PollyRetryStrategy(new RetryStrategyOptions { MaxRetryAttempts = 4, Delay = TimeSpan.FromSeconds(2), BackoffType = DelayBackoffType.Linear })),
            Is.EqualTo(new[] { 2, 4, 6, 8 }));

    [Test]
    public void Exponential_WithMaxDelay() =>
        Assert.That(
            RetryStrategyConfigTests.Delays(new PollyRetryStrategy(new RetryStrategyOptions
            {
                MaxRetryAttempts = 5,
                Delay = TimeSpan.FromSeconds(2),
                BackoffType = DelayBackoffType.Exponential,
                MaxDelay = TimeSpan.FromSeconds(10),
            })),
            Is.EqualTo(new[] { 2, 4, 8, 10, 10 }));

    [Test]
    public void SubSecondDelays_BecomeOneSecond() =>
        Assert.That(
            RetryStrategyConfigTests.Delays(new PollyRetryStrategy(new RetryStrategyOptions { MaxRetryAttempts = 2, Delay = TimeSpan.FromMilliseconds(200) })),
            Is.EqualTo(new[] { 1, 1 }));

    [Test]
    public void ZeroDelay_BecomesOneSecond() =>
        Assert.That(Decide(new PollyRetryStrategy(new RetryStrategyOptions { Delay = TimeSpan.Zero }), 1).DelaySeconds, Is.EqualTo(1));

    [TestCase(0.0, 8)]   // 10 × 0.75 = 7.5
    [TestCase(0.5, 10)]
    [TestCase(1.0, 13)]  // 10 × 1.25 = 12.5
    public void ConstantJitter_IsPlusMinus25Percent(double r, int expected)
    {
        var s = new PollyRetryStrategy(new RetryStrategyOptions { Delay = TimeSpan.FromSeconds(10), UseJitter = true, Randomizer = () => r });
        Assert.That(Decide(s, 1).DelaySeconds, Is.EqualTo(expected));
    }

    [Test]
    public void ExponentialJitter_FirstDelayMatchesPollyDecorrelatedJitter()
    {
        // Polly 8.9.1 with Delay = 2 s and randomizer 0.5 gives 1.7948 s for the first retry.
        var s = new PollyRetryStrategy(new RetryStrategyOptions { Delay = TimeSpan.FromSeconds(2), BackoffType = DelayBackoffType.Exponential, UseJitter = true },
            RandomSource.Fixed(0.5));
        Assert.That(s.ComputeDelaySeconds(0), Is.EqualTo(1.7948098).Within(1e-6));
        Assert.That(Decide(s, 1).DelaySeconds, Is.EqualTo(2));
    }

    [Test]
    public void ExponentialJitter_IsPositiveAndCapped()
    {
        var s = new PollyRetryStrategy(new RetryStrategyOptions
        {
            MaxRetryAttempts = 10,
            Delay = TimeSpan.FromSeconds(1),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            MaxDelay = TimeSpan.FromSeconds(30),
        }, RandomSource.Fixed(0.3));
        var delays = RetryStrategyConfigTests.Delays(s);
        Assert.That(delays, Has.Length.EqualTo(10));
        Assert.That(delays, Is.All.InRange(1, 30));
        Assert.That(delays[^1], Is.EqualTo(30));
    }

    [Test]
    public void ShouldHandle_FromPredicateBuilder()
    {
        var s = new PollyRetryStrategy(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder<object>().Handle<TimeoutException>(),
            Delay = TimeSpan.FromSeconds(3),
        });
        Assert.Multiple(() =>
        {
            Assert.That(Decide(s, 1, new TimeoutException()), Is.EqualTo(RetryDecision.RetryAfter(3)));
            Assert.That(Decide(s, 1, new InvalidOperationException()), Is.EqualTo(RetryDecision.Stop));
        });
    }

    [Test]
    public void ShouldHandle_Default_SkipsOperationCanceled()
    {
        var s = new PollyRetryStrategy(new RetryStrategyOptions());
        Assert.Multiple(() =>
        {
            Assert.That(Decide(s, 1, new InvalidOperationException()).ShouldRetry, Is.True);
            Assert.That(Decide(s, 1, new OperationCanceledException()).ShouldRetry, Is.False);
        });
    }

    [Test]
    public void ShouldHandle_SeesZeroBasedAttemptNumberAndAContext()
    {
        var seen = new List<int>();
        var s = new PollyRetryStrategy(new RetryStrategyOptions
        {
            MaxRetryAttempts = 5,
            ShouldHandle = args =>
            {
                seen.Add(args.AttemptNumber);
                Assert.That(args.Context, Is.Not.Null);
                return ValueTask.FromResult(args.Outcome.Exception is InvalidOperationException);
            },
        });
        _ = Decide(s, 1);
        _ = Decide(s, 3);
        Assert.That(seen, Is.EqualTo(new[] { 0, 2 }));
    }

    [Test]
    public void DelayGenerator_OverridesAndIgnoresMaxDelay()
    {
        var s = new PollyRetryStrategy(new RetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            Delay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(5),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.AttemptNumber == 1 ? null : TimeSpan.FromSeconds(7.2)),
        });
        Assert.That(RetryStrategyConfigTests.Delays(s), Is.EqualTo(new[] { 8, 1, 8 }));
    }

    [Test]
    public void ExhaustedBeforeShouldHandleIsAsked()
    {
        var asked = 0;
        var s = new PollyRetryStrategy(new RetryStrategyOptions { MaxRetryAttempts = 1, ShouldHandle = _ => { asked++; return ValueTask.FromResult(true); } });
        Assert.That(Decide(s, 2), Is.EqualTo(RetryDecision.Stop));
        Assert.That(asked, Is.Zero);
    }

    [Test]
    public void ZeroRetries_NeverRetries() =>
        Assert.That(Decide(new PollyRetryStrategy(new RetryStrategyOptions { MaxRetryAttempts = 0 }), 1), Is.EqualTo(RetryDecision.Stop));

    [Test]
    public void InvalidOptions_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new PollyRetryStrategy(new RetryStrategyOptions { MaxRetryAttempts = -1 }), Throws.ArgumentException.With.Message.Contains("MaxRetryAttempts"));
            Assert.That(() => new PollyRetryStrategy(new RetryStrategyOptions { Delay = TimeSpan.FromSeconds(-1) }), Throws.ArgumentException.With.Message.Contains("Delay"));
            Assert.That(() => new PollyRetryStrategy(new RetryStrategyOptions { BackoffType = (DelayBackoffType)9 }), Throws.ArgumentException.With.Message.Contains("BackoffType"));
        });
    }

    [Test]
    public void OptionsAreCopied()
    {
        var options = new RetryStrategyOptions { MaxRetryAttempts = 2, Delay = TimeSpan.FromSeconds(4) };
        var s = new PollyRetryStrategy(options);
        options.Delay = TimeSpan.FromSeconds(40);
        Assert.That(Decide(s, 1).DelaySeconds, Is.EqualTo(4));
    }

    [Test]
    public void RoundTrip_ConfigToPollyOptionsAndBack()
    {
        var config = new RetryStrategyConfig { MaxAttempts = 5, InitialDelay = TimeSpan.FromSeconds(2), BackoffRate = 3, Jitter = JitterStrategy.None }.RetryOn<TimeoutException>();
        var back = new PollyRetryStrategy(config.ToPollyOptions());
        Assert.Multiple(() =>
        {
            Assert.That(RetryStrategyConfigTests.Delays(back, new TimeoutException()), Is.EqualTo(RetryStrategyConfigTests.Delays(config, new TimeoutException())));
            Assert.That(Decide(back, 1, new InvalidOperationException()), Is.EqualTo(RetryDecision.Stop));
        });
    }
}
