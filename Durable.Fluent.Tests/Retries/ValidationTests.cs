using Durable.Fluent.Retries;

namespace Durable.Fluent.Tests.Retries;

[TestFixture]
public class ValidationTests
{
    [Test]
    public void MaxAttempts_BelowOne() =>
        Assert.That(() => new RetryStrategyConfig { MaxAttempts = 0 }, Throws.ArgumentException.With.Message.Contains("MaxAttempts").And.Message.Contains("at least 1"));

    [TestCase(0.0)]
    [TestCase(-1.0)]
    public void InitialDelay_NotPositive(double seconds) =>
        Assert.That(() => new RetryStrategyConfig { InitialDelay = TimeSpan.FromSeconds(seconds) }, Throws.ArgumentException.With.Message.Contains("InitialDelay").And.Message.Contains("greater than 0"));

    [Test]
    public void MaxDelay_AboveServiceLimit() =>
        Assert.That(() => new RetryStrategyConfig { MaxDelay = TimeSpan.FromDays(400) }, Throws.ArgumentException.With.Message.Contains("MaxDelay"));

    [TestCase(0.5)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void BackoffRate_OutOfRange(double rate) =>
        Assert.That(() => new RetryStrategyConfig { BackoffRate = rate }, Throws.ArgumentException.With.Message.Contains("BackoffRate").And.Message.Contains("≥ 1"));

    [Test]
    public void Jitter_Undefined() =>
        Assert.That(() => new RetryStrategyConfig { Jitter = (JitterStrategy)7 }, Throws.ArgumentException.With.Message.Contains("Jitter"));

    [Test]
    public void RetryableErrorTypes_NonException() =>
        Assert.That(() => new RetryStrategyConfig { RetryableErrorTypes = [typeof(string)] }, Throws.ArgumentException.With.Message.Contains("RetryableErrorTypes"));

    [Test]
    public void RetryableErrorMessages_NullEntry() =>
        Assert.That(() => new RetryStrategyConfig { RetryableErrorMessages = [null!] }, Throws.ArgumentException.With.Message.Contains("RetryableErrorMessages"));

    [Test]
    public void Random_Null() =>
        Assert.That(() => new RetryStrategyConfig { Random = null! }, Throws.ArgumentException.With.Message.Contains("Random"));

    [Test]
    public void WithExpression_ValidatesToo() =>
        Assert.That(() => RetryPresets.Default with { MaxAttempts = -3 }, Throws.ArgumentException.With.Message.Contains("MaxAttempts"));

    [Test]
    public void MaxDelayBelowInitial_CannotDecide()
    {
        var config = new RetryStrategyConfig { InitialDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(5) };
        Assert.Multiple(() =>
        {
            Assert.That(config.Validate, Throws.ArgumentException.With.Message.Contains("MaxDelay").And.Message.Contains("InitialDelay"));
            Assert.That(() => config.Decide(new RetryContext(new InvalidOperationException(), 1, null)), Throws.ArgumentException);
            Assert.That(config.ToPollyOptions, Throws.ArgumentException);
        });
    }

    [Test]
    public void CrossFieldRule_IsOrderIndependentInWithExpressions()
    {
        var a = RetryPresets.Default with { InitialDelay = TimeSpan.FromSeconds(400), MaxDelay = TimeSpan.FromSeconds(600) };
        var b = RetryPresets.Default with { MaxDelay = TimeSpan.FromSeconds(600), InitialDelay = TimeSpan.FromSeconds(400) };
        Assert.That(a.Validate, Throws.Nothing);
        Assert.That(b, Is.EqualTo(a));
    }

    [Test]
    public void Linear_IncrementNegative() =>
        Assert.That(() => new LinearRetryStrategyConfig { Increment = TimeSpan.FromSeconds(-1) }, Throws.ArgumentException.With.Message.Contains("Increment"));

    [Test]
    public void Linear_MaxBelowInitial() =>
        Assert.That(new LinearRetryStrategyConfig { InitialDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(2) }.Validate, Throws.ArgumentException.With.Message.Contains("MaxDelay"));

    [Test]
    public void HugeExponent_IsCappedAtMaxDelay()
    {
        var config = new RetryStrategyConfig { MaxAttempts = int.MaxValue, BackoffRate = 10, Jitter = JitterStrategy.None };
        Assert.That(config.Decide(new RetryContext(new InvalidOperationException(), 5000, null)), Is.EqualTo(RetryDecision.RetryAfter(300)));
    }
}
