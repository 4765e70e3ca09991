using System.CommandLine;
using System.Net;
using Durable.Fluent.Checkpointing.Http;

namespace Durable.Fluent.Cli.Commands;

/// <summary>
/// The options every REST command shares: <c>--endpoint</c> (the local service on its default port unless told otherwise;
/// <c>aws</c> for the Lambda endpoint of the region) and <c>--region</c>. Loopback endpoints get unsigned requests; any
/// other endpoint is signed with SigV4 and the AWS SDK's default credential chain (environment variables,
/// <c>AWS_PROFILE</c> and the shared files, SSO, container and instance roles).
/// </summary>
internal sealed class ServiceConnection
{
    /// <summary>Where <c>durable serve</c> listens by default.</summary>
    public const int DefaultPort = 5050;

    public static readonly string DefaultEndpoint = $"http://127.0.0.1:{DefaultPort}/";

    public Option<string> Endpoint { get; } = new("--endpoint")
    {
        Description = $"The durable execution API to call: a URL (default {DefaultEndpoint}, where 'durable serve' listens), or 'aws' for the AWS Lambda endpoint of the region (AWS_ENDPOINT_URL_LAMBDA overrides it). Non-loopback endpoints are signed with the default AWS credential chain.",
        DefaultValueFactory = _ => DefaultEndpoint,
        HelpName = "url|aws",
    };

    public Option<string?> Region { get; } = new("--region")
    {
        Description = "The AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION; us-east-1 for a local endpoint).",
    };

    public void AddTo(Command command)
    {
        command.Add(Endpoint);
        command.Add(Region);
    }

    public LambdaDurableExecutionClient CreateClient(ParseResult parse)
    {
        var text = parse.GetValue(Endpoint) ?? DefaultEndpoint;
        Uri? endpoint = null;
        if (!string.Equals(text, "aws", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--endpoint '{text}' is not an http(s) URL or 'aws'.");
            }
        }

        var region = parse.GetValue(Region);
        var loopback = endpoint is not null && IsLoopback(endpoint);
        if (region is null && loopback && Environment.GetEnvironmentVariable("AWS_REGION") is null && Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") is null)
        {
            region = "us-east-1";
        }

        try
        {
            return new LambdaDurableExecutionClient(new LambdaDurableClientOptions
            {
                Endpoint = endpoint,
                Region = region,
                AllowUnsignedLoopback = true,
                MaxRetries = 2,
                RetryMaxDelay = TimeSpan.FromSeconds(1),
            });
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message.Contains("region", StringComparison.OrdinalIgnoreCase)
                ? "Signed requests need a region: pass --region, or set AWS_REGION."
                : ex.Message);
        }
    }

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
