using Amazon.Runtime;
using Durable.Fluent.Checkpointing.Http;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.Checkpointing.Http;

internal static class ClientTestSupport
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string Region = "us-east-1";

    public const string Arn = "arn:aws:lambda:us-east-1:123456789012:function:orders:1/durable-execution/run-1/inv-1";

    public const string EscapedArn =
        "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aorders%3A1%2Fdurable-execution%2Frun-1%2Finv-1";

    public static readonly DateTimeOffset FixedTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    public static (LambdaDurableExecutionClient Client, FakeHttpHandler Handler, TimerWatchingClock Clock) Create(
        Action<FakeHttpHandler> script,
        Func<LambdaDurableClientOptions, LambdaDurableClientOptions>? configure = null,
        AWSCredentials? credentials = null)
    {
        var handler = new FakeHttpHandler();
        script(handler);
        var clock = new TimerWatchingClock(FixedTime);
        var options = new LambdaDurableClientOptions
        {
            Region = Region,
            Credentials = credentials ?? new BasicAWSCredentials(AccessKey, SecretKey),
            HttpMessageHandler = handler,
            TimeProvider = clock,
            RetryBaseDelay = TimeSpan.Zero,
        };
        options = configure?.Invoke(options) ?? options;
        return (new LambdaDurableExecutionClient(options, _ => null), handler, clock);
    }
}
