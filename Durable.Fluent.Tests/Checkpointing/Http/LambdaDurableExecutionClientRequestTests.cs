using System.Net;
using System.Text.Json;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Wire;
using static Durable.Fluent.Tests.Checkpointing.Http.ClientTestSupport;

namespace Durable.Fluent.Tests.Checkpointing.Http;

/// <summary>Method, path, query, body and parsing of every REST call.</summary>
[TestFixture]
public sealed class LambdaDurableExecutionClientRequestTests
{
    private const string Base = "https://lambda.us-east-1.amazonaws.com";

    [Test]
    public async Task Checkpoint_posts_token_and_updates_in_PascalCase_and_parses_the_new_state()
    {
        const string responseJson = """
            {"CheckpointToken":"tok-2","NewExecutionState":{"Operations":[
              {"Id":"1","Type":"STEP","SubType":"Step","Name":"validate","Status":"STARTED","StartTimestamp":1700000000.5}
            ],"NextMarker":"m-2"}}
            """;
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, responseJson));
        using var _c = client;
        var updates = new[]
        {
            new OperationUpdate { Id = "1", Type = OperationType.Step, SubType = OperationSubTypes.Step, Action = OperationAction.Start, Name = "validate" },
            new OperationUpdate
            {
                Id = "2", Type = OperationType.Wait, Action = OperationAction.Start,
                WaitOptions = new WaitOptions { WaitSeconds = 30 },
            },
        };

        var result = await client.CheckpointAsync(Arn, "tok-1", updates, CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(request.Uri.AbsoluteUri, Is.EqualTo($"{Base}/2025-12-01/durable-executions/{EscapedArn}/checkpoint"));
        Assert.That(request.Header("Content-Type"), Is.EqualTo("application/json"));
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.That(root.GetProperty("CheckpointToken").GetString(), Is.EqualTo("tok-1"));
        Assert.That(root.TryGetProperty("ClientToken", out _), Is.False, "no ClientToken by default");
        var sent = root.GetProperty("Updates");
        Assert.That(sent.GetArrayLength(), Is.EqualTo(2));
        Assert.That(sent[0].GetProperty("Id").GetString(), Is.EqualTo("1"));
        Assert.That(sent[0].GetProperty("Type").GetString(), Is.EqualTo("STEP"));
        Assert.That(sent[0].GetProperty("SubType").GetString(), Is.EqualTo("Step"));
        Assert.That(sent[0].GetProperty("Action").GetString(), Is.EqualTo("START"));
        Assert.That(sent[0].GetProperty("Name").GetString(), Is.EqualTo("validate"));
        Assert.That(sent[0].TryGetProperty("Payload", out _), Is.False, "nulls are omitted");
        Assert.That(sent[1].GetProperty("WaitOptions").GetProperty("WaitSeconds").GetInt32(), Is.EqualTo(30));

        Assert.That(result.CheckpointToken, Is.EqualTo("tok-2"));
        Assert.That(result.NewExecutionState.NextMarker, Is.EqualTo("m-2"));
        var op = result.NewExecutionState.Operations!.Single();
        Assert.That(op.Status, Is.EqualTo(OperationStatus.Started));
        Assert.That(op.StartTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500)), "epoch seconds");
    }

    [Test]
    public async Task Checkpoint_sends_a_client_token_only_when_asked()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"CheckpointToken":"t","NewExecutionState":{"Operations":[]}}"""));
        using var _c = client;

        await client.CheckpointAsync(Arn, "tok-1", [], clientToken: "idem-1", CancellationToken.None);

        using var body = JsonDocument.Parse(handler.Requests.Single().Body);
        Assert.That(body.RootElement.GetProperty("ClientToken").GetString(), Is.EqualTo("idem-1"));
        Assert.That(body.RootElement.GetProperty("Updates").GetArrayLength(), Is.Zero, "an empty checkpoint still sends Updates");
    }

    [Test]
    public async Task Checkpoint_response_without_a_token_means_terminal()
    {
        var (client, _, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"NewExecutionState":{"Operations":[]}}"""));
        using var _c = client;

        var result = await client.CheckpointAsync(Arn, "tok-1", [], CancellationToken.None);

        Assert.That(result.CheckpointToken, Is.Null);
        Assert.That(result.NewExecutionState.Operations, Is.Empty);
    }

    [Test]
    public async Task GetState_sends_token_marker_and_MaxItems_1000_as_query()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"Operations":[{"Id":"e","Type":"EXECUTION","Status":"STARTED","StartTimestamp":1700000000}],"NextMarker":""}"""));
        using var _c = client;

        var state = await client.GetStateAsync(Arn, "tok+/=1", "mark er/2", CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.That(request.Method, Is.EqualTo(HttpMethod.Get));
        Assert.That(request.Uri.AbsolutePath, Is.EqualTo($"/2025-12-01/durable-executions/{EscapedArn}/state"));
        Assert.That(request.Uri.Query, Is.EqualTo("?CheckpointToken=tok%2B%2F%3D1&Marker=mark%20er%2F2&MaxItems=1000"));
        Assert.That(request.Body, Is.Empty);
        Assert.That(state.Operations!.Single().Type, Is.EqualTo(OperationType.Execution));
    }

    [Test]
    public async Task GetState_omits_an_empty_marker()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"Operations":[]}"""));
        using var _c = client;

        await client.GetStateAsync(Arn, "tok", string.Empty, CancellationToken.None);

        Assert.That(handler.Requests.Single().Uri.Query, Is.EqualTo("?CheckpointToken=tok&MaxItems=1000"));
    }

    [Test]
    public async Task Callback_success_posts_the_raw_result_to_the_escaped_callback_id()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK));
        using var _c = client;

        await client.SendCallbackSuccessAsync("Ab+c/d==", """{"approved":true}""");
        await client.SendCallbackSuccessAsync("id2", new byte[] { 0, 1, 2, 255 });

        var first = handler.Requests[0];
        Assert.That(first.Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(first.Uri.AbsolutePath, Is.EqualTo("/2025-12-01/durable-execution-callbacks/Ab%2Bc%2Fd%3D%3D/succeed"));
        Assert.That(first.BodyText, Is.EqualTo("""{"approved":true}"""));
        Assert.That(first.Header("Content-Type"), Is.EqualTo("application/octet-stream"));
        Assert.That(handler.Requests[1].Body, Is.EqualTo(new byte[] { 0, 1, 2, 255 }));
    }

    [Test]
    public void Callback_success_rejects_a_result_over_256_KiB()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK));
        using var _c = client;

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SendCallbackSuccessAsync("id", new byte[262_145]));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public async Task Callback_failure_posts_the_bare_error_object_as_the_body()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK));
        using var _c = client;

        await client.SendCallbackFailureAsync("cb-1", new ErrorObject { ErrorType = "Rejected", ErrorMessage = "no", StackTrace = ["a", "b"] });

        var request = handler.Requests.Single();
        Assert.That(request.Uri.AbsolutePath, Is.EqualTo("/2025-12-01/durable-execution-callbacks/cb-1/fail"));
        // Error is the operation's HTTP payload: the body is the ErrorObject itself, with no {"Error": ...} wrapper.
        Assert.That(request.BodyText, Is.EqualTo("""{"ErrorMessage":"no","ErrorType":"Rejected","StackTrace":["a","b"]}"""));
        Assert.That(request.Header("Content-Type"), Is.EqualTo("application/json"));
    }

    [Test]
    public async Task Callback_heartbeat_posts_without_a_body()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK));
        using var _c = client;

        await client.SendCallbackHeartbeatAsync("cb-1");

        var request = handler.Requests.Single();
        Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(request.Uri.AbsolutePath, Is.EqualTo("/2025-12-01/durable-execution-callbacks/cb-1/heartbeat"));
        Assert.That(request.Body, Is.Empty);
    }

    [Test]
    public async Task GetDurableExecution_parses_the_PascalCase_response_with_epoch_seconds()
    {
        const string json = """
            {"DurableExecutionArn":"arn-x","DurableExecutionName":"run-1","FunctionArn":"arn:fn","InputPayload":"{}",
             "Result":"\"ok\"","StartTimestamp":1700000000,"EndTimestamp":1700000060.25,"Status":"SUCCEEDED","Version":"1",
             "TraceHeader":{"XAmznTraceId":"Root=1-abc"}}
            """;
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, json));
        using var _c = client;

        var execution = await client.GetDurableExecutionAsync(Arn);

        var request = handler.Requests.Single();
        Assert.That(request.Method, Is.EqualTo(HttpMethod.Get));
        Assert.That(request.Uri.AbsolutePath, Is.EqualTo($"/2025-12-01/durable-executions/{EscapedArn}"));
        Assert.That(execution.DurableExecutionName, Is.EqualTo("run-1"));
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo("\"ok\""));
        Assert.That(execution.StartTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));
        Assert.That(execution.EndTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_060_250)));
        Assert.That(execution.TraceHeader?.XAmznTraceId, Is.EqualTo("Root=1-abc"));
    }

    [Test]
    public async Task GetDurableExecution_parses_DurableConfig_with_every_member_the_model_declares()
    {
        const string json = """
            {"DurableExecutionArn":"a","DurableExecutionName":"n","FunctionArn":"f","StartTimestamp":1700000000,"Status":"RUNNING",
             "DurableConfig":{"KMSKeyArn":"arn:aws:kms:us-east-1:123456789012:key/k-1","RetentionPeriodInDays":30,"ExecutionTimeout":900}}
            """;
        var (client, _, _) = Create(h => h.Respond(HttpStatusCode.OK, json));
        using var _c = client;

        var execution = await client.GetDurableExecutionAsync(Arn);

        Assert.That(execution.DurableConfig, Is.EqualTo(new DurableConfig
        {
            KMSKeyArn = "arn:aws:kms:us-east-1:123456789012:key/k-1",
            RetentionPeriodInDays = 30,
            ExecutionTimeout = 900,
        }));
    }

    [Test]
    public async Task GetDurableExecution_sends_IncludeExecutionData_only_when_asked_and_parses_ExecutionDataIncluded()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"DurableExecutionArn":"a","Status":"RUNNING","ExecutionDataIncluded":false}"""));
        using var _c = client;

        var metadata = await client.GetDurableExecutionAsync(Arn, includeExecutionData: false);
        await client.GetDurableExecutionAsync(Arn);

        Assert.That(handler.Requests[0].Uri.Query, Is.EqualTo("?IncludeExecutionData=false"));
        Assert.That(handler.Requests[1].Uri.Query, Is.Empty);
        Assert.That(metadata.ExecutionDataIncluded, Is.False);
    }

    [Test]
    public async Task GetDurableExecutionHistory_sends_the_paging_query_and_parses_events()
    {
        const string json = """
            {"Events":[
              {"EventType":"ExecutionStarted","EventId":1,"Id":"e","EventTimestamp":1700000000,"ExecutionStartedDetails":{"Input":{"Payload":"{}"}}},
              {"EventType":"StepSucceeded","SubType":"Step","EventId":2,"Id":"1","Name":"validate","EventTimestamp":1700000001.5,
               "StepSucceededDetails":{"Result":{"Payload":"42"},"RetryDetails":{"CurrentAttempt":1}}}
            ],"NextMarker":"3"}
            """;
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, json));
        using var _c = client;

        var page = await client.GetDurableExecutionHistoryAsync(Arn, includeExecutionData: true, maxItems: 50, marker: "2", reverseOrder: false);

        var request = handler.Requests.Single();
        Assert.That(request.Uri.AbsolutePath, Is.EqualTo($"/2025-12-01/durable-executions/{EscapedArn}/history"));
        Assert.That(request.Uri.Query, Is.EqualTo("?IncludeExecutionData=true&MaxItems=50&Marker=2&ReverseOrder=false"));
        Assert.That(page.NextMarker, Is.EqualTo("3"));
        Assert.That(page.Events, Has.Count.EqualTo(2));
        Assert.That(page.Events[1].EventType, Is.EqualTo(HistoryEventType.StepSucceeded));
        Assert.That(page.Events[1].Details.Result?.Payload, Is.EqualTo("42"));
        Assert.That(page.Events[1].EventTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_001_500)));
    }

    [Test]
    public async Task GetDurableExecutionHistory_without_options_sends_no_query()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"Events":[]}"""));
        using var _c = client;

        var page = await client.GetDurableExecutionHistoryAsync(Arn);

        Assert.That(handler.Requests.Single().Uri.Query, Is.Empty);
        Assert.That(page.Events, Is.Empty);
    }

    [Test]
    public async Task StopDurableExecution_posts_the_bare_error_object_and_parses_the_stop_time()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"StopTimestamp":1700000100.5}"""));
        using var _c = client;

        var stopped = await client.StopDurableExecutionAsync(Arn, new ErrorObject { ErrorType = "Stopped", ErrorMessage = "by operator" });
        await client.StopDurableExecutionAsync(Arn);

        Assert.That(handler.Requests[0].Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(handler.Requests[0].Uri.AbsolutePath, Is.EqualTo($"/2025-12-01/durable-executions/{EscapedArn}/stop"));
        Assert.That(handler.Requests[0].BodyText, Is.EqualTo("""{"ErrorMessage":"by operator","ErrorType":"Stopped"}"""));
        Assert.That(handler.Requests[1].BodyText, Is.EqualTo("{}"));
        Assert.That(stopped.StopTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_100_500)));
    }

    [Test]
    public async Task ListDurableExecutionsByFunction_sends_filters_as_query_and_parses_the_page()
    {
        const string json = """
            {"DurableExecutions":[{"DurableExecutionArn":"a1","DurableExecutionName":"n1","FunctionArn":"f","Status":"RUNNING","StartTimestamp":1700000000,"KMSKeyArn":"arn:kms-1"}],
             "NextMarker":"next"}
            """;
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, json));
        using var _c = client;

        var page = await client.ListDurableExecutionsByFunctionAsync(
            "arn:aws:lambda:us-east-1:123456789012:function:orders",
            new ListDurableExecutionsByFunctionQuery
            {
                Qualifier = "$LATEST",
                Statuses = [ExecutionStatus.Running, ExecutionStatus.TimedOut],
                StartedAfter = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
                ReverseOrder = true,
                MaxItems = 10,
            });

        var request = handler.Requests.Single();
        Assert.That(request.Method, Is.EqualTo(HttpMethod.Get));
        Assert.That(
            request.Uri.AbsolutePath,
            Is.EqualTo("/2025-12-01/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aorders/durable-executions"));
        Assert.That(
            request.Uri.Query,
            Is.EqualTo("?Qualifier=%24LATEST&Statuses=RUNNING&Statuses=TIMED_OUT&StartedAfter=2025-01-02T03%3A04%3A05.000Z&ReverseOrder=true&MaxItems=10"));
        var summary = page.DurableExecutions.Single();
        Assert.That(summary.Status, Is.EqualTo(ExecutionStatus.Running));
        Assert.That(summary.StartTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));
        Assert.That(summary.KMSKeyArn, Is.EqualTo("arn:kms-1"));
        Assert.That(page.NextMarker, Is.EqualTo("next"));
    }

    [Test]
    public async Task Every_request_names_the_library_in_User_Agent()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.OK, """{"Operations":[]}"""));
        using var _c = client;

        await client.GetStateAsync(Arn, "tok", string.Empty, CancellationToken.None);

        var userAgent = handler.Requests.Single().Header("User-Agent");
        Assert.That(userAgent, Does.Match(@"^Durable\.Fluent/\S+ \(\+dotnet " + System.Text.RegularExpressions.Regex.Escape(Environment.Version.ToString()) + @"\)$"));
    }

    [Test]
    public async Task An_endpoint_base_path_and_port_are_kept()
    {
        var (client, handler, _) = Create(
            h => h.Respond(HttpStatusCode.OK),
            o => o with { Endpoint = new Uri("http://127.0.0.1:9014/durable/") });
        using var _c = client;

        await client.SendCallbackHeartbeatAsync("cb");

        Assert.That(handler.Requests.Single().Uri.AbsoluteUri, Is.EqualTo("http://127.0.0.1:9014/durable/2025-12-01/durable-execution-callbacks/cb/heartbeat"));
    }

    [Test]
    public async Task Unsigned_loopback_sends_no_signature_headers()
    {
        var (client, handler, _) = Create(
            h => h.Respond(HttpStatusCode.OK),
            o => o with { Endpoint = new Uri("http://127.0.0.1:5000"), Credentials = null, AllowUnsignedLoopback = true });
        using var _c = client;

        await client.SendCallbackHeartbeatAsync("cb");

        Assert.That(client.IsUnsigned, Is.True);
        var request = handler.Requests.Single();
        Assert.That(request.Header("Authorization"), Is.Null);
        Assert.That(request.Header("X-Amz-Date"), Is.Null);
        Assert.That(request.Header("User-Agent"), Does.StartWith("Durable.Fluent/"));
    }

    [Test]
    public async Task A_caller_supplied_HttpClient_is_used_and_not_disposed()
    {
        var handler = new FakeHttpHandler().Respond(HttpStatusCode.OK);
        using var http = new HttpClient(handler);
        var client = new LambdaDurableExecutionClient(
            new LambdaDurableClientOptions
            {
                Endpoint = new Uri("http://localhost:7000"),
                AllowUnsignedLoopback = true,
                HttpClient = http,
            },
            _ => null);

        await client.SendCallbackHeartbeatAsync("cb");
        client.Dispose();
        await http.PostAsync(new Uri("http://localhost:7000/after"), null);

        Assert.That(handler.Requests.Select(r => r.Uri.AbsolutePath), Is.EqualTo(new[] { "/2025-12-01/durable-execution-callbacks/cb/heartbeat", "/after" }));
    }
}
