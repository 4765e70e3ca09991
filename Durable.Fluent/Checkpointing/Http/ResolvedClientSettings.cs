using System.Net;
using Amazon.Runtime;

namespace Durable.Fluent.Checkpointing.Http;

/// <summary>
/// <see cref="LambdaDurableClientOptions"/> with every default applied: region and endpoint from the environment,
/// the signing decision, and validated timeouts.
/// </summary>
internal sealed record ResolvedClientSettings
{
    public required string? Region { get; init; }

    public required Uri Endpoint { get; init; }

    /// <summary>Explicit credentials; <see langword="null"/> means the default chain (when <see cref="Unsigned"/> is false).</summary>
    public required AWSCredentials? Credentials { get; init; }

    /// <summary>Requests are sent without a signature.</summary>
    public required bool Unsigned { get; init; }

    public required TimeSpan RequestTimeout { get; init; }

    public required int MaxRetries { get; init; }

    public required TimeSpan RetryBaseDelay { get; init; }

    public required TimeSpan RetryMaxDelay { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    /// <summary>Applies the defaults of <paramref name="options"/>, reading the environment through <paramref name="environment"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range, or neither a region nor an endpoint can be determined.</exception>
    public static ResolvedClientSettings Resolve(LambdaDurableClientOptions options, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);

        var region = FirstNonEmpty(options.Region, environment("AWS_REGION"), environment("AWS_DEFAULT_REGION"));

        var endpoint = options.Endpoint;
        if (endpoint is null && !IsTrue(environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")))
        {
            var fromEnv = FirstNonEmpty(environment("AWS_ENDPOINT_URL_LAMBDA"), environment("AWS_ENDPOINT_URL"));
            if (fromEnv is not null)
            {
                if (!Uri.TryCreate(fromEnv, UriKind.Absolute, out endpoint))
                {
                    throw new ArgumentException($"The endpoint '{fromEnv}' from the environment is not an absolute URI.", nameof(options));
                }
            }
        }

        if (endpoint is null)
        {
            if (region is null)
            {
                throw new ArgumentException(
                    "No AWS region: set LambdaDurableClientOptions.Region, AWS_REGION or AWS_DEFAULT_REGION, or set an Endpoint.",
                    nameof(options));
            }

            endpoint = new Uri($"https://lambda.{region}.amazonaws.com", UriKind.Absolute);
        }

        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"The endpoint '{endpoint}' must be an absolute http or https URI.", nameof(options));
        }

        if (options.MaxRetries < 0)
        {
            throw new ArgumentException("MaxRetries must not be negative.", nameof(options));
        }

        if (options.RequestTimeout <= TimeSpan.Zero && options.RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("RequestTimeout must be positive.", nameof(options));
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryMaxDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("Retry delays must not be negative.", nameof(options));
        }

        var unsigned = options.Credentials is AnonymousAWSCredentials
            || (options.Credentials is null && options.AllowUnsignedLoopback && IsLoopback(endpoint));

        return new ResolvedClientSettings
        {
            Region = region,
            Endpoint = endpoint,
            Credentials = options.Credentials,
            Unsigned = unsigned,
            RequestTimeout = options.RequestTimeout,
            MaxRetries = options.MaxRetries,
            RetryBaseDelay = options.RetryBaseDelay,
            RetryMaxDelay = options.RetryMaxDelay,
            TimeProvider = options.TimeProvider ?? TimeProvider.System,
        };
    }

    /// <summary>Whether the endpoint's host is <c>localhost</c> or a loopback IP address.</summary>
    internal static bool IsLoopback(Uri endpoint)
    {
        if (endpoint.IsLoopback || string.Equals(endpoint.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    private static string? FirstNonEmpty(params string?[] values)
        => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();

    private static bool IsTrue(string? value)
        => string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
}
