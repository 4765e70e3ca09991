using Durable.Fluent.Retries;
using static Durable.Fluent.Tests.Retries.RetryStrategyConfigTests;

namespace Durable.Fluent.Tests.Retries;

[TestFixture]
public class RetryPresetsTests
{
    [Test]
    public void Default_Values()
    {
        var p = RetryPresets.Default;
        Assert.Multiple(() =>
        {
            Assert.That(p.MaxAttempts, Is.EqualTo(6));
            Assert.That(p.InitialDelay, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(p.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(p.BackoffRate, Is.EqualTo(2));
            Assert.That(p.Jitter, Is.EqualTo(JitterStrategy.Full));
        });
    }

    [Test]
    public void Default_WithoutJitter_Sequence() =>
        Assert.That(Delays(RetryPresets.Default with { Jitter = JitterStrategy.None }), Is.EqualTo(new[] { 5, 10, 20, 40, 60 }));

    [Test]
    public void None_NeverRetries() => Assert.That(Delays(RetryPresets.None), Is.Empty);

    [Test]
    public void Transient_FollowsPython()
    {
        var p = RetryPresets.Transient;
        Assert.Multiple(() =>
        {
            Assert.That(p.MaxAttempts, Is.EqualTo(3));
            Assert.That(p.InitialDelay, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(p.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(300)));
            Assert.That(p.Jitter, Is.EqualTo(JitterStrategy.Half));
            Assert.That(Delays(p with { Jitter = JitterStrategy.None }), Is.EqualTo(new[] { 5, 10 }));
        });
    }

    [Test]
    public void Transient_DotNetTimingIsOneWithAway() =>
        Assert.That(
            Delays(RetryPresets.Transient with { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(5), Jitter = JitterStrategy.None }),
            Is.EqualTo(new[] { 1, 2 }));

    [Test]
    public void ResourceAvailability_Sequence()
    {
        Assert.That(RetryPresets.ResourceAvailability.Jitter, Is.EqualTo(JitterStrategy.Full));
        Assert.That(Delays(RetryPresets.ResourceAvailability with { Jitter = JitterStrategy.None }), Is.EqualTo(new[] { 5, 10, 20, 40 }));
        Assert.That(Delays(RetryPresets.ResourceAvailability.WithRandom(RandomSource.Fixed(AlmostOne))), Is.EqualTo(new[] { 5, 10, 20, 40 }));
        Assert.That(Delays(RetryPresets.ResourceAvailability.WithRandom(RandomSource.Fixed(0))), Is.EqualTo(new[] { 1, 1, 1, 1 }));
    }

    [Test]
    public void Critical_Sequence() =>
        Assert.That(Delays(RetryPresets.Critical), Is.EqualTo(new[] { 1, 2, 3, 4, 6, 8, 12, 18, 26 }));

    [Test]
    public void Linear_Sequence() =>
        Assert.That(Delays(RetryPresets.Linear), Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));

    [Test]
    public void Fixed_DefaultInterval() =>
        Assert.That(Delays(RetryPresets.Fixed()), Is.EqualTo(new[] { 5, 5, 5, 5 }));

    [Test]
    public void Fixed_CustomInterval_AboveDefaultMax() =>
        Assert.That(Delays(RetryPresets.Fixed(TimeSpan.FromSeconds(400))), Is.EqualTo(new[] { 400, 400, 400, 400 }));

    [Test]
    public void Fixed_FractionalInterval_RoundsUp() =>
        Assert.That(Delays(RetryPresets.Fixed(TimeSpan.FromSeconds(2.5))), Is.EqualTo(new[] { 3, 3, 3, 3 }));

    [Test]
    public void Fixed_InvalidInterval_Throws() =>
        Assert.That(() => RetryPresets.Fixed(TimeSpan.Zero), Throws.ArgumentException.With.Message.Contains("InitialDelay"));

    [Test]
    public void LinearConfig_Defaults_AndCap()
    {
        var config = new LinearRetryStrategyConfig();
        Assert.Multiple(() =>
        {
            Assert.That(config.MaxAttempts, Is.EqualTo(6));
            Assert.That(config.InitialDelay, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(config.Increment, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(config.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(300)));
            Assert.That(config.Jitter, Is.EqualTo(JitterStrategy.Full));
        });
        var capped = config with { InitialDelay = TimeSpan.FromSeconds(2), Increment = TimeSpan.FromSeconds(3), MaxDelay = TimeSpan.FromSeconds(7), Jitter = JitterStrategy.None };
        Assert.That(Delays(capped), Is.EqualTo(new[] { 2, 5, 7, 7, 7 }));
    }

    [Test]
    public void LinearConfig_FullJitterBounds()
    {
        Assert.That(Delays(RetryPresets.Linear with { Jitter = JitterStrategy.Full, Random = RandomSource.Fixed(0) }), Is.EqualTo(new[] { 1, 1, 1, 1, 1 }));
        Assert.That(Delays(RetryPresets.Linear with { Jitter = JitterStrategy.Full, Random = RandomSource.Fixed(0.5) }), Is.EqualTo(new[] { 1, 1, 2, 2, 3 }));
    }

    [Test]
    public void LinearConfig_Filters()
    {
        var config = RetryPresets.Linear.RetryOn<TimeoutException>();
        Assert.That(config.Decide(new RetryContext(new InvalidOperationException(), 1, null)).ShouldRetry, Is.False);
        Assert.That(config.Decide(new RetryContext(new TimeoutException(), 1, null)), Is.EqualTo(RetryDecision.RetryAfter(1)));
    }
}
