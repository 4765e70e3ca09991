using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Wire;
using static Durable.Fluent.Tests.Checkpointing.Http.ClientTestSupport;

namespace Durable.Fluent.Tests.Checkpointing.Http;

/// <summary>
/// The client signs with AWSSDK.Core's AWS4Signer; these tests recompute every signature independently from the request
/// as sent on the wire (<see cref="SigV4Reference"/>) and compare.
/// </summary>
[TestFixture]
public sealed partial class SigV4SigningTests
{
    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<cred>[^,]+), SignedHeaders=(?<headers>[^,]+), Signature=(?<sig>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    [Test]
    public void The_reference_implementation_matches_the_published_get_vanilla_vector()
    {
        // AWS SigV4 test suite, "get-vanilla": GET / with Host and X-Amz-Date, service "service", region us-east-1.
        var signature = SigV4Reference.Signature(
            "GET",
            new Uri("https://example.amazonaws.com/"),
            [new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z")],
            [],
            SecretKey,
            FixedTime,
            "us-east-1",
            "service");

        Assert.That(signature, Is.EqualTo("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    }

    [Test]
    public async Task Checkpoint_POST_is_signed_for_lambda_at_the_TimeProvider_time()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"CheckpointToken":"t2","NewExecutionState":{"Operations":[]}}"""));
        using var _c = client;

        await client.CheckpointAsync(
            Arn,
            "tok-1",
            [new OperationUpdate { Id = "1", Type = OperationType.Step, Action = OperationAction.Start, Name = "é step" }],
            CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.That(request.Header("X-Amz-Date"), Is.EqualTo("20150830T123600Z"));
        Assert.That(request.Header("X-Amz-Content-SHA256"), Is.EqualTo(SigV4Reference.Hex(SHA256.HashData(request.Body))));
        var (credential, signedHeaders, _) = ParseAuthorization(request);
        Assert.That(credential, Is.EqualTo("AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request"));
        Assert.That(signedHeaders, Is.EqualTo(new[] { "content-type", "host", "x-amz-content-sha256", "x-amz-date" }));
        AssertSignatureVerifies(request, SecretKey, FixedTime);
    }

    [Test]
    public async Task GET_with_an_escaped_query_is_signed_correctly()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"Operations":[]}"""));
        using var _c = client;

        await client.GetStateAsync(Arn, "eyJhcm4iOiJ4In0+/=", "marker with space/and~tilde", CancellationToken.None);

        var request = handler.Requests.Single();
        var (_, signedHeaders, _) = ParseAuthorization(request);
        Assert.That(signedHeaders, Is.EqualTo(new[] { "host", "x-amz-content-sha256", "x-amz-date" }));
        AssertSignatureVerifies(request, SecretKey, FixedTime);
    }

    [Test]
    public async Task A_list_valued_query_parameter_is_signed_correctly()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"DurableExecutions":[]}"""));
        using var _c = client;

        await client.ListDurableExecutionsByFunctionAsync(
            "orders",
            new ListDurableExecutionsByFunctionQuery { Statuses = [ExecutionStatus.TimedOut, ExecutionStatus.Failed], MaxItems = 5 });

        AssertSignatureVerifies(handler.Requests.Single(), SecretKey, FixedTime);
    }

    [Test]
    public async Task A_session_token_is_sent_and_signed()
    {
        var (client, handler, _) = Create(
            h => h.Respond(HttpStatusCode.OK),
            credentials: new SessionAWSCredentials(AccessKey, SecretKey, "FQoGZXIvYXdzE//session=="));
        using var _c = client;

        await client.SendCallbackHeartbeatAsync("cb-1");

        var request = handler.Requests.Single();
        Assert.That(request.Header("X-Amz-Security-Token"), Is.EqualTo("FQoGZXIvYXdzE//session=="));
        var (_, signedHeaders, _) = ParseAuthorization(request);
        Assert.That(signedHeaders, Does.Contain("x-amz-security-token"));
        AssertSignatureVerifies(request, SecretKey, FixedTime);
    }

    [Test]
    public async Task The_signing_time_follows_the_clock_on_every_attempt()
    {
        var (client, handler, clock) = Create(h => h.Respond(HttpStatusCode.OK));
        using var _c = client;

        await client.SendCallbackHeartbeatAsync("cb-1");
        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(5));
        await client.SendCallbackHeartbeatAsync("cb-1");

        var second = handler.Requests[1];
        Assert.That(second.Header("X-Amz-Date"), Is.EqualTo("20150831T123605Z"));
        Assert.That(ParseAuthorization(second).Credential, Is.EqualTo("AKIDEXAMPLE/20150831/us-east-1/lambda/aws4_request"));
        AssertSignatureVerifies(second, SecretKey, clock.GetUtcNow());
    }

    [Test]
    public async Task A_wrong_secret_does_not_verify()
    {
        // Guards the check itself: the reference must reject a signature made with another key.
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK), credentials: new BasicAWSCredentials(AccessKey, "another-secret"));
        using var _c = client;

        await client.SendCallbackHeartbeatAsync("cb-1");

        var request = handler.Requests.Single();
        var (_, signedHeaders, signature) = ParseAuthorization(request);
        var expected = SigV4Reference.Signature(
            request.Method.Method, request.Uri, SignedHeaderValues(request, signedHeaders), request.Body, SecretKey, FixedTime, Region, "lambda");
        Assert.That(signature, Is.Not.EqualTo(expected));
    }

    private static (string Credential, string[] SignedHeaders, string Signature) ParseAuthorization(CapturedRequest request)
    {
        var authorization = request.Header("Authorization");
        Assert.That(authorization, Is.Not.Null);
        var match = AuthorizationPattern().Match(authorization!);
        Assert.That(match.Success, Is.True, authorization);
        return (match.Groups["cred"].Value, match.Groups["headers"].Value.Split(';'), match.Groups["sig"].Value);
    }

    private static List<KeyValuePair<string, string>> SignedHeaderValues(CapturedRequest request, string[] signedHeaders)
        => signedHeaders
            .Select(name => new KeyValuePair<string, string>(
                name,
                name == "host" ? request.Uri.Authority : request.Header(name) ?? throw new AssertionException($"signed header {name} was not sent")))
            .ToList();

    private static void AssertSignatureVerifies(CapturedRequest request, string secretKey, DateTimeOffset time)
    {
        var (_, signedHeaders, signature) = ParseAuthorization(request);
        Assert.That(signedHeaders, Does.Contain("host").And.Contain("x-amz-date"));
        var expected = SigV4Reference.Signature(
            request.Method.Method,
            request.Uri,
            SignedHeaderValues(request, signedHeaders),
            request.Body,
            secretKey,
            time,
            Region,
            "lambda");
        Assert.That(signature, Is.EqualTo(expected), "signature recomputed from the wire request with the published SigV4 algorithm");
    }
}
