using Amazon.Runtime;

namespace Durable.Fluent.Checkpointing.Http;

/// <summary>
/// Settings of <see cref="LambdaDurableExecutionClient"/>. Every member has a working default, so
/// <c>new LambdaDurableExecutionClient()</c> talks to the Lambda service of the region in <c>AWS_REGION</c> with the
/// credentials of the AWS SDK's default credential chain.
/// </summary>
/// <remarks>
/// <para><b>Local durable service (anonymous requests).</b> A durable service running on this machine does not check
/// SigV4 signatures. Point <see cref="Endpoint"/> at it and set <see cref="AllowUnsignedLoopback"/>:</para>
/// <code>
/// new LambdaDurableClientOptions
/// {
///     Endpoint = new Uri("http://127.0.0.1:5000"),
///     AllowUnsignedLoopback = true, // no credential lookup, no Authorization header
/// }
/// </code>
/// <para>Unsigned requests are sent only when <see cref="Credentials"/> is <see langword="null"/> and the endpoint's host is a
/// loopback address (<c>localhost</c>, <c>127.0.0.0/8</c>, <c>::1</c>); for any other host the option is ignored and the
/// default credential chain is used, so a misconfigured endpoint never leaks unsigned calls to the network.
/// Passing <see cref="AnonymousAWSCredentials"/> as <see cref="Credentials"/> also sends unsigned requests, to any host:
/// that is an explicit choice.</para>
/// </remarks>
public sealed record LambdaDurableClientOptions
{
    /// <summary>The default connect timeout (5 s, as the Python and JS SDKs use).</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The default timeout of one HTTP attempt (55 s, as the JS SDK uses).</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(55);

    /// <summary>The default base delay of the exponential retry backoff (200 ms).</summary>
    public static readonly TimeSpan DefaultRetryBaseDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The default upper bound of one retry delay (5 s).</summary>
    public static readonly TimeSpan DefaultRetryMaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The AWS region, for the default endpoint and the SigV4 credential scope. Default: the environment variable
    /// <c>AWS_REGION</c>, then <c>AWS_DEFAULT_REGION</c>.
    /// </summary>
    public string? Region { get; init; }

    /// <summary>
    /// The service endpoint (scheme, host, optional port and base path). Default: the environment variable
    /// <c>AWS_ENDPOINT_URL_LAMBDA</c>, then <c>AWS_ENDPOINT_URL</c>, then <c>https://lambda.{region}.amazonaws.com</c>.
    /// </summary>
    public Uri? Endpoint { get; init; }

    /// <summary>
    /// The credentials used to sign requests. Default (<see langword="null"/>): resolved once, at the first request, from
    /// the AWS SDK's default credential chain (<c>DefaultAWSCredentialsIdentityResolver</c>: environment variables, shared
    /// profile, container and instance metadata, ...). <see cref="AnonymousAWSCredentials"/> sends unsigned requests.
    /// </summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>
    /// When <see langword="true"/>, <see cref="Credentials"/> is <see langword="null"/> and the endpoint is a loopback
    /// address, requests are sent unsigned (for a local durable service). Default <see langword="false"/>.
    /// </summary>
    public bool AllowUnsignedLoopback { get; init; }

    /// <summary>
    /// An HTTP client to send requests with (for tests or shared connection pools). It is not disposed by the client, and
    /// its own <see cref="HttpClient.Timeout"/> still applies; <see cref="ConnectTimeout"/> is not applied to it.
    /// </summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>
    /// A message handler to send requests through (for tests); ignored when <see cref="HttpClient"/> is set. It is not
    /// disposed by the client. <see cref="ConnectTimeout"/> is not applied to it.
    /// </summary>
    public HttpMessageHandler? HttpMessageHandler { get; init; }

    /// <summary>Timeout for establishing a connection, when the client creates its own handler. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>Timeout of one HTTP attempt (each retry gets a fresh one). Default 55 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary>
    /// How many times a request is retried after throttling (429), a server error (5xx), a network error or an attempt
    /// timeout. Other 4xx responses are never retried. 0 disables retries. Default 3.
    /// </summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>
    /// The base delay of the exponential backoff with jitter between retries. Default 200 ms. <see cref="TimeSpan.Zero"/>
    /// retries immediately (useful in tests).
    /// </summary>
    public TimeSpan RetryBaseDelay { get; init; } = DefaultRetryBaseDelay;

    /// <summary>The upper bound of one retry delay. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = DefaultRetryMaxDelay;

    /// <summary>
    /// The clock for retry delays, attempt timeouts and the SigV4 signing time. Default <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider? TimeProvider { get; init; }
}
