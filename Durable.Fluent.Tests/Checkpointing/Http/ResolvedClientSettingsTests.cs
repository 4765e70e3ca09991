using Amazon.Runtime;
using Durable.Fluent.Checkpointing.Http;

namespace Durable.Fluent.Tests.Checkpointing.Http;

/// <summary>Defaults of <see cref="LambdaDurableClientOptions"/>: region, endpoint and the unsigned-loopback rule.</summary>
[TestFixture]
public sealed class ResolvedClientSettingsTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars)
    {
        var map = vars.ToDictionary(v => v.Name, v => v.Value);
        return name => map.TryGetValue(name, out var v) ? v : null;
    }

    [Test]
    public void Region_comes_from_AWS_REGION_then_AWS_DEFAULT_REGION()
    {
        var both = ResolvedClientSettings.Resolve(new(), Env(("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "us-west-2")));
        var fallback = ResolvedClientSettings.Resolve(new(), Env(("AWS_DEFAULT_REGION", "us-west-2")));
        var explicitRegion = ResolvedClientSettings.Resolve(new() { Region = "ap-south-1" }, Env(("AWS_REGION", "eu-west-1")));

        Assert.That(both.Region, Is.EqualTo("eu-west-1"));
        Assert.That(both.Endpoint, Is.EqualTo(new Uri("https://lambda.eu-west-1.amazonaws.com")));
        Assert.That(fallback.Region, Is.EqualTo("us-west-2"));
        Assert.That(explicitRegion.Endpoint, Is.EqualTo(new Uri("https://lambda.ap-south-1.amazonaws.com")));
    }

    [Test]
    public void Endpoint_comes_from_the_option_then_AWS_ENDPOINT_URL_LAMBDA_then_AWS_ENDPOINT_URL()
    {
        var env = Env(("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL_LAMBDA", "http://localhost:4566"), ("AWS_ENDPOINT_URL", "http://other:1"));

        Assert.That(ResolvedClientSettings.Resolve(new(), env).Endpoint, Is.EqualTo(new Uri("http://localhost:4566")));
        Assert.That(
            ResolvedClientSettings.Resolve(new(), Env(("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", "http://other:1"))).Endpoint,
            Is.EqualTo(new Uri("http://other:1")));
        Assert.That(
            ResolvedClientSettings.Resolve(new() { Endpoint = new Uri("https://mine.example") }, env).Endpoint,
            Is.EqualTo(new Uri("https://mine.example")));
        Assert.That(
            ResolvedClientSettings.Resolve(new(), Env(("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", "http://other:1"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"))).Endpoint,
            Is.EqualTo(new Uri("https://lambda.us-east-1.amazonaws.com")));
    }

    [Test]
    public void Without_region_or_endpoint_the_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ResolvedClientSettings.Resolve(new(), Env()));
        Assert.Throws<ArgumentException>(() => _ = new LambdaDurableExecutionClient(
            new LambdaDurableClientOptions { Endpoint = new Uri("https://x.example"), Credentials = new BasicAWSCredentials("a", "b") },
            _ => null));
    }

    [TestCase("http://127.0.0.1:5000", true)]
    [TestCase("http://127.5.6.7", true)]
    [TestCase("http://localhost:9000", true)]
    [TestCase("http://[::1]:9000", true)]
    [TestCase("http://10.0.0.5:5000", false)]
    [TestCase("https://lambda.us-east-1.amazonaws.com", false)]
    public void AllowUnsignedLoopback_applies_only_to_loopback_hosts(string endpoint, bool unsigned)
    {
        var settings = ResolvedClientSettings.Resolve(
            new() { Endpoint = new Uri(endpoint), AllowUnsignedLoopback = true },
            Env(("AWS_REGION", "us-east-1")));

        Assert.That(settings.Unsigned, Is.EqualTo(unsigned));
    }

    [Test]
    public void Explicit_credentials_win_over_AllowUnsignedLoopback_and_anonymous_credentials_are_unsigned()
    {
        var signed = ResolvedClientSettings.Resolve(
            new() { Endpoint = new Uri("http://127.0.0.1:1"), AllowUnsignedLoopback = true, Credentials = new BasicAWSCredentials("a", "b") },
            Env(("AWS_REGION", "us-east-1")));
        var anonymous = ResolvedClientSettings.Resolve(
            new() { Endpoint = new Uri("https://remote.example"), Credentials = new AnonymousAWSCredentials() },
            Env());

        Assert.That(signed.Unsigned, Is.False);
        Assert.That(anonymous.Unsigned, Is.True);
    }

    [Test]
    public void Defaults_match_the_documented_values()
    {
        var options = new LambdaDurableClientOptions();

        Assert.That(options.ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(options.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(55)));
        Assert.That(options.MaxRetries, Is.EqualTo(3));
        Assert.That(options.RetryBaseDelay, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
        Assert.That(ResolvedClientSettings.Resolve(options, Env(("AWS_REGION", "us-east-1"))).TimeProvider, Is.SameAs(TimeProvider.System));
    }
}
