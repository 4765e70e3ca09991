using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Util;

namespace Durable.Fluent.Checkpointing.Http;

/// <summary>
/// Signs a <see cref="RestRequest"/> with AWS Signature Version 4, using AWSSDK.Core's <see cref="AWS4Signer"/>
/// (no cryptography of our own). The request is mirrored into an SDK <see cref="DefaultRequest"/> exactly as an SDK
/// marshaller would build it: the path template in <c>ResourcePath</c>, the raw label values in <c>PathResources</c>
/// (so the signer canonicalizes them with the double encoding that non-S3 services expect), query parameters in
/// <c>ParameterCollection</c> with <c>UseQueryString</c>, and the body in <c>Content</c>.
/// </summary>
internal sealed class SigV4Signer
{
    /// <summary>The SigV4 signing name of the durable execution API.</summary>
    public const string ServiceSigningName = "lambda";

    private readonly AWS4Signer _signer = new(signPayload: true);
    private readonly SigningClientConfig _config;
    private readonly string _region;

    /// <summary>Creates a signer for one region.</summary>
    /// <param name="region">The signing region.</param>
    public SigV4Signer(string region)
    {
        _region = region;
        _config = new SigningClientConfig(region);
    }

    /// <summary>
    /// Computes the signature headers for <paramref name="request"/>.
    /// </summary>
    /// <param name="request">The request, as it will be sent.</param>
    /// <param name="endpoint">The endpoint the request is sent to.</param>
    /// <param name="credentials">The credentials; a session token is added as <c>X-Amz-Security-Token</c> and signed.</param>
    /// <param name="signingTimeUtc">The signing time (from the client's <see cref="TimeProvider"/>).</param>
    /// <returns>The headers to add to the HTTP request: <c>X-Amz-Date</c>, <c>X-Amz-Content-SHA256</c>,
    /// <c>X-Amz-Security-Token</c> (when the credentials carry a session token) and <c>Authorization</c>.</returns>
    public IReadOnlyList<KeyValuePair<string, string>> Sign(
        RestRequest request,
        Uri endpoint,
        ImmutableCredentials credentials,
        DateTime signingTimeUtc)
    {
        var sdkRequest = new DefaultRequest(SignableRequest.Instance, ServiceSigningName)
        {
            HttpMethod = request.Method.Method,
            Endpoint = endpoint,
            ResourcePath = request.PathTemplate,
            UseQueryString = true,
            Content = request.Body ?? [],
            AuthenticationRegion = _region,
            OverrideSigningServiceName = ServiceSigningName,
        };

        foreach (var (name, value) in request.PathParameters)
        {
            sdkRequest.PathResources[name] = value;
        }

        foreach (var group in request.Query.GroupBy(q => q.Key, StringComparer.Ordinal))
        {
            var values = group.Select(g => g.Value).ToList();
            if (values.Count == 1)
            {
                sdkRequest.ParameterCollection.Add(group.Key, values[0]);
            }
            else
            {
                sdkRequest.ParameterCollection.Add(group.Key, values);
            }
        }

        if (request.ContentType is not null)
        {
            sdkRequest.Headers["Content-Type"] = request.ContentType;
        }

        if (credentials.UseToken)
        {
            sdkRequest.Headers[HeaderKeys.XAmzSecurityTokenHeader] = credentials.Token;
        }

        var result = _signer.SignRequest(
            sdkRequest,
            _config,
            metrics: null,
            credentials.AccessKey,
            credentials.SecretKey,
            DateTime.SpecifyKind(signingTimeUtc, DateTimeKind.Utc));

        var headers = new List<KeyValuePair<string, string>>(4);
        Copy(sdkRequest, HeaderKeys.XAmzDateHeader, headers);
        Copy(sdkRequest, HeaderKeys.XAmzContentSha256Header, headers);
        Copy(sdkRequest, HeaderKeys.XAmzSecurityTokenHeader, headers);
        headers.Add(new(HeaderKeys.AuthorizationHeader, result.ForAuthorizationHeader));
        return headers;
    }

    private static void Copy(DefaultRequest request, string name, List<KeyValuePair<string, string>> into)
    {
        if (request.Headers.TryGetValue(name, out var value) && value is not null)
        {
            into.Add(new(name, value));
        }
    }

    /// <summary>The user-facing request object the SDK's <see cref="DefaultRequest"/> requires; it carries nothing.</summary>
    private sealed class SignableRequest : AmazonWebServiceRequest
    {
        public static readonly SignableRequest Instance = new();
    }

    /// <summary>
    /// The minimal client configuration <see cref="AWS4Signer.SignRequest(IRequest, IClientConfig, Amazon.Runtime.Internal.Util.RequestMetrics, string, string, DateTime)"/>
    /// reads: the authentication region and service name. Endpoint resolution is never used because both are set.
    /// </summary>
    private sealed class SigningClientConfig : ClientConfig
    {
        public SigningClientConfig(string region)
            : base(null!)
        {
            AuthenticationRegion = region;
            AuthenticationServiceName = ServiceSigningName;
        }

        public override string ServiceVersion => "2015-03-31";

        public override string UserAgent => UserAgentHeader.Value;

        public override string RegionEndpointServiceName => ServiceSigningName;

        public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters)
            => throw new NotSupportedException("The durable execution client resolves its endpoint itself.");
    }
}
