using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// A web page in the user's browser must not be able to drive the service (no CORS preflight is triggered by text, form or
/// multipart bodies, nor by a body without a content type), a foreign Host or Origin is refused, and a client that stalls
/// half-way through a request is cut off instead of holding a connection forever.
/// </summary>
public class RequestHardeningTests : CallbackExecutionFixture
{
    private static readonly string[] SimpleTypes = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"];

    protected override TimeSpan? StalledRequestTimeout => TimeSpan.FromSeconds(2);

    [Test]
    public async Task Json_routes_refuse_text_form_and_multipart_bodies_with_415_before_anything_changes()
    {
        var token = H.Service.Engine.BeginInvocation(Arn).CheckpointToken!;
        var checkpoint = "{\"CheckpointToken\":\"" + token + "\",\"Updates\":[{\"Id\":\"w\",\"Type\":\"WAIT\",\"SubType\":\"Wait\",\"Action\":\"START\",\"WaitOptions\":{\"WaitSeconds\":5}}]}";
        var before = Snapshot();
        var executions = H.Service.Engine.ListExecutions().Count;
        foreach (var type in SimpleTypes)
        {
            foreach (var (path, body) in new[]
            {
                (ArnPath("checkpoint"), checkpoint),
                (ArnPath("stop"), """{"ErrorType":"X"}"""),
                (ArnPath("stop"), string.Empty),
                (CallbackPath("fail"), """{"ErrorType":"X"}"""),
                (CallbackPath("succeed"), "\"approved\""),
                (CallbackPath("heartbeat"), string.Empty),
                ("/start-durable-execution", """{"FunctionName":"cb","ExecutionName":"csrf"}"""),
            })
            {
                using var response = await H.Http.PostAsync(path, WithType(body, type));
                await BadInputTests.AssertError(response, 415, "UnsupportedMediaTypeException", "message");
            }
        }

        Assert.That(Snapshot(), Is.EqualTo(before));
        Assert.That(H.Service.Engine.ListExecutions(), Has.Count.EqualTo(executions));
    }

    [Test]
    public async Task A_json_body_without_a_content_type_is_refused_with_415()
    {
        var before = Snapshot();
        using var stop = await H.Http.PostAsync(ArnPath("stop"), new ByteArrayContent("""{"ErrorType":"X"}"""u8.ToArray()));
        await BadInputTests.AssertError(stop, 415, "UnsupportedMediaTypeException", "message");
        using var fail = await H.Http.PostAsync(CallbackPath("fail"), new ByteArrayContent("""{"ErrorType":"X"}"""u8.ToArray()));
        await BadInputTests.AssertError(fail, 415, "UnsupportedMediaTypeException", "message");
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_blob_without_a_content_type_is_accepted_as_the_aws_cli_sends_it_but_not_from_a_browser()
    {
        // botocore (the AWS CLI, boto3) sends a blob payload with no Content-Type; a browser that does the same also sends
        // its Origin, which is refused.
        var before = Snapshot();
        using var browser = new HttpRequestMessage(HttpMethod.Post, CallbackPath("succeed")) { Content = new ByteArrayContent("\"csrf\""u8.ToArray()) };
        browser.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
        using var refused = await H.Http.SendAsync(browser);
        await BadInputTests.AssertError(refused, 403, "AccessDeniedException", "message");
        Assert.That(Snapshot(), Is.EqualTo(before));

        using var cli = await H.Http.PostAsync(CallbackPath("succeed"), new ByteArrayContent("\"ok\""u8.ToArray()));
        Assert.That(cli.StatusCode, Is.EqualTo(HttpStatusCode.OK), await cli.Content.ReadAsStringAsync());
        await H.Service.WaitForIdleAsync(Arn);
        Assert.That(H.Service.Engine.GetExecution(Arn).Result, Is.EqualTo("\"ok\""));
    }

    [TestCase("application/json")]
    [TestCase("application/json; charset=utf-8")]
    [TestCase("application/x-amz-json-1.1")]
    [TestCase("application/vnd.example+json")]
    public async Task Json_content_types_are_accepted(string type)
    {
        using var response = await H.Http.PostAsync(ArnPath("stop"), WithType("""{"ErrorType":"Accepted"}""", type));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(H.Service.Engine.GetExecution(Arn).Error!.ErrorType, Is.EqualTo("Accepted"));
    }

    [TestCase("application/octet-stream")] // what the AWS SDK for JavaScript v3 (and this library's client) send for the blob
    [TestCase("binary/octet-stream")]
    [TestCase("application/json")]
    public async Task Callback_success_accepts_the_content_types_sdk_clients_send_for_its_blob(string type)
    {
        using var response = await H.Http.PostAsync(CallbackPath("succeed"), WithType("{\"approved\":true}", type));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        await H.Service.WaitForIdleAsync(Arn);
        Assert.That(H.Service.Engine.GetExecution(Arn).Result, Is.EqualTo("{\"approved\":true}"));
    }

    [Test]
    public async Task Requests_without_a_body_need_no_content_type()
    {
        using var heartbeat = await H.Http.PostAsync(CallbackPath("heartbeat"), null);
        Assert.That(heartbeat.StatusCode, Is.EqualTo(HttpStatusCode.OK), await heartbeat.Content.ReadAsStringAsync());
        using var emptySuccess = await H.Http.PostAsync(CallbackPath("succeed"), null);
        Assert.That(emptySuccess.StatusCode, Is.EqualTo(HttpStatusCode.OK), await emptySuccess.Content.ReadAsStringAsync());
    }

    [TestCase("Origin", "https://evil.example")]
    [TestCase("Origin", "null")]
    [TestCase("Sec-Fetch-Site", "cross-site")]
    [TestCase("Sec-Fetch-Site", "same-site")]
    public async Task A_request_from_another_origin_is_refused_with_403(string header, string value)
    {
        var before = Snapshot();
        using var request = new HttpRequestMessage(HttpMethod.Post, ArnPath("stop")) { Content = WithType("{}", "application/json") };
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await H.Http.SendAsync(request);
        await BadInputTests.AssertError(response, 403, "AccessDeniedException", "message");
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_request_from_the_services_own_origin_is_served()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ArnPath(null));
        request.Headers.TryAddWithoutValidation("Origin", H.Service.Endpoint.GetLeftPart(UriPartial.Authority));
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        using var response = await H.Http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("evil.example")]
    [TestCase("attacker.test:80")]
    public async Task A_foreign_host_header_is_refused_on_loopback(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ArnPath(null));
        request.Headers.Host = host; // what a DNS-rebinding page sends
        using var response = await H.Http.SendAsync(request);
        await BadInputTests.AssertError(response, 400, "InvalidRequestContentException", "message");
    }

    [TestCase("localhost")]
    [TestCase("127.0.0.1")]
    public async Task Loopback_host_names_are_served(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Host = $"{host}:{H.Service.Endpoint.Port}";
        using var response = await H.Http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_request_that_stops_half_way_through_its_body_is_cut_off_and_changes_nothing()
    {
        var token = H.Service.Engine.BeginInvocation(Arn).CheckpointToken!;
        var before = Snapshot();
        var body = Encoding.UTF8.GetBytes("{\"CheckpointToken\":\"" + token + "\",\"Updates\":[]}");
        var head = $"POST {ArnPath("checkpoint")} HTTP/1.1\r\nHost: 127.0.0.1:{H.Service.Endpoint.Port}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        var (answer, elapsed) = await SendAndStallAsync([.. Encoding.ASCII.GetBytes(head), .. body.AsSpan(0, body.Length / 2)]);

        Assert.That(answer, Is.Empty.Or.StartsWith("HTTP/1.1 408"), "cut off with 408 Request Timeout, or the connection closed");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "the server, not the test's guard, ended it");
        Assert.That(Snapshot(), Is.EqualTo(before));
        using var health = await H.Http.GetAsync("/health");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "other clients are still served");
    }

    [Test]
    public async Task A_request_that_never_finishes_its_headers_is_cut_off()
    {
        var head = $"POST /start-durable-execution HTTP/1.1\r\nHost: 127.0.0.1:{H.Service.Endpoint.Port}\r\nContent-Type: appl";
        var (answer, elapsed) = await SendAndStallAsync(Encoding.ASCII.GetBytes(head));
        Assert.That(answer, Is.Empty.Or.StartsWith("HTTP/1.1 408"));
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
    }

    [Test]
    public void The_stall_timeout_is_validated()
    {
        Assert.That(
            () => new LocalDurableService(new LocalDurableServiceOptions { StalledRequestTimeout = TimeSpan.FromSeconds(1) }),
            Throws.ArgumentException.With.Message.Contains("StalledRequestTimeout"));
    }

    /// <summary>Sends raw bytes, then waits (up to a 30 s guard) for the server to answer or close.</summary>
    private async Task<(string Answer, TimeSpan Elapsed)> SendAndStallAsync(byte[] bytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, H.Service.Endpoint.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(bytes);
        var watch = Stopwatch.StartNew();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, guard.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // reset by the server: cut off
        }

        Assert.That(guard.IsCancellationRequested, Is.False, "the server never ended the stalled request");
        return (Encoding.ASCII.GetString(received.ToArray()), watch.Elapsed);
    }

    private static ByteArrayContent WithType(string body, string type)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }
}
