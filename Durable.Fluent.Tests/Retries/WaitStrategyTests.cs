using Durable.Fluent.Retries;

namespace Durable.Fluent.Tests.Retries;

[TestFixture]
public class WaitStrategyTests
{
    [Test]
    public void Exponential_Defaults_NoJitterSequence()
    {
        var s = WaitStrategy.Exponential<int>(_ => true, jitter: JitterStrategy.None);
        Assert.That(s.MaxAttempts, Is.EqualTo(60));
        var delays = Enumerable.Range(1, 12).Select(a => s.Decide(0, a).DelaySeconds).ToArray();
        // 5, 7.5, 11.25, 16.875, 25.3125, 37.97, 56.95, 85.43, 128.14, 192.22, 288.33, 300
        Assert.That(delays, Is.EqualTo(new[] { 5, 8, 12, 17, 26, 38, 57, 86, 129, 193, 289, 300 }));
    }

    [TestCase(0.0, 1)]
    [TestCase(0.5, 3)]
    [TestCase(RetryStrategyConfigTests.AlmostOne, 5)]
    public void Exponential_FullJitterBounds(double r, int expected)
    {
        var s = WaitStrategy.Exponential<int>(_ => true, random: RandomSource.Fixed(r));
        Assert.That(s.Decide(0, 1), Is.EqualTo(WaitDecision.ContinueAfter(expected)));
    }

    [Test]
    public void StopIsCheckedBeforeMaxAttempts()
    {
        var s = WaitStrategy.Fixed<int>(state => state < 3, TimeSpan.FromSeconds(2), maxAttempts: 3);
        Assert.That(s.Decide(3, 3), Is.EqualTo(WaitDecision.Stop));
        Assert.That(s.Decide(3, 99), Is.EqualTo(WaitDecision.Stop));
    }

    [Test]
    public void Conformance_6_5_FixedTwoSeconds()
    {
        var s = WaitStrategy.Fixed<int>(state => state < 3, TimeSpan.FromSeconds(2));
        Assert.Multiple(() =>
        {
            Assert.That(s.Decide(1, 1), Is.EqualTo(WaitDecision.ContinueAfter(2)));
            Assert.That(s.Decide(2, 2), Is.EqualTo(WaitDecision.ContinueAfter(2)));
            Assert.That(s.Decide(3, 3), Is.EqualTo(WaitDecision.Stop));
        });
    }

    [Test]
    public void Conformance_6_6_ExhaustsOnTheThirdAttempt()
    {
        var s = WaitStrategy.Fixed<int>(_ => true, TimeSpan.FromSeconds(1), maxAttempts: 3);
        Assert.That(s.Decide(1, 1).ShouldContinue, Is.True);
        Assert.That(s.Decide(2, 2).ShouldContinue, Is.True);
        var ex = Assert.Throws<WaitForConditionExhaustedException>(() => s.Decide(3, 3));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Attempt, Is.EqualTo(3));
            Assert.That(ex.MaxAttempts, Is.EqualTo(3));
            Assert.That(ex, Is.InstanceOf<DurableExecutionException>());
        });
    }

    [Test]
    public void Linear_Defaults_AndCap()
    {
        var s = WaitStrategy.Linear<string>(_ => true);
        Assert.That(Enumerable.Range(1, 4).Select(a => s.Decide("x", a).DelaySeconds), Is.EqualTo(new[] { 5, 10, 15, 20 }));
        var capped = WaitStrategy.Linear<string>(_ => true, initialDelay: TimeSpan.FromSeconds(1.5), increment: TimeSpan.FromSeconds(2), maxDelay: TimeSpan.FromSeconds(6));
        Assert.That(Enumerable.Range(1, 5).Select(a => capped.Decide("x", a).DelaySeconds), Is.EqualTo(new[] { 2, 4, 6, 6, 6 }));
    }

    [Test]
    public void Fixed_SubSecondIsOne() =>
        Assert.That(WaitStrategy.Fixed<int>(_ => true, TimeSpan.FromMilliseconds(100)).Decide(0, 1), Is.EqualTo(WaitDecision.ContinueAfter(1)));

    [Test]
    public void FromDelegate_OwnsTheDecision()
    {
        var s = WaitStrategy.FromDelegate<int>((state, attempt) => state > 10 ? WaitDecision.Stop : WaitDecision.ContinueAfter(attempt * 3));
        Assert.Multiple(() =>
        {
            Assert.That(s.Decide(11, 1), Is.EqualTo(WaitDecision.Stop));
            Assert.That(s.Decide(0, 2), Is.EqualTo(WaitDecision.ContinueAfter(6)));
            Assert.That(WaitDecision.ContinueAfter(0).DelaySeconds, Is.EqualTo(1));
        });
    }

    [Test]
    public void Validation()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => WaitStrategy.Exponential<int>(_ => true, maxAttempts: 0), Throws.ArgumentException.With.Message.Contains("maxAttempts"));
            Assert.That(() => WaitStrategy.Exponential<int>(_ => true, backoffRate: 0.9), Throws.ArgumentException.With.Message.Contains("backoffRate"));
            Assert.That(() => WaitStrategy.Exponential<int>(_ => true, initialDelay: TimeSpan.FromSeconds(10), maxDelay: TimeSpan.FromSeconds(5)), Throws.ArgumentException.With.Message.Contains("maxDelay"));
            Assert.That(() => WaitStrategy.Fixed<int>(_ => true, TimeSpan.Zero), Throws.ArgumentException.With.Message.Contains("delay"));
            Assert.That(() => WaitStrategy.Linear<int>(_ => true, increment: TimeSpan.FromSeconds(-1)), Throws.ArgumentException.With.Message.Contains("increment"));
            Assert.That(() => WaitStrategy.Fixed<int>(_ => true, TimeSpan.FromSeconds(1)).Decide(0, 0), Throws.TypeOf<ArgumentOutOfRangeException>());
        });
    }
}
