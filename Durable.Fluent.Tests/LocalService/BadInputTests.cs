using System.Net;
using System.Text;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>Bad requests get the AWS error shape and status, and change nothing (state is compared before and after).</summary>
public class BadInputTests
{
    private const string Api = "/2025-12-01";
    private ServiceHarness _h = null!;
    private CallbackHandler _handler = null!;
    private string _arn = null!;

    [SetUp]
    public async Task SetUp()
    {
        _handler = new CallbackHandler();
        _h = new ServiceHarness(register: s => s.Register("cb", _handler.HandleAsync));
        _arn = _h.Service.StartExecution("cb", null, "bad-input");
        await _h.Service.WaitForIdleAsync(_arn);
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task Malformed_checkpoint_json_is_400_InvalidParameterValue_and_changes_nothing()
    {
        var token = _h.Service.Engine.BeginInvocation(_arn).CheckpointToken!;
        var before = Snapshot();
        using var response = await _h.Http.PostAsync(ArnPath("checkpoint"), Json("{\"CheckpointToken\":\"" + token + "\",\"Updates\":[{\"Id\":"));
        await AssertError(response, 400, "InvalidParameterValueException", "message");
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task Unknown_arn_is_404_ResourceNotFound()
    {
        using var get = await _h.Http.GetAsync(Api + "/durable-executions/" + Uri.EscapeDataString(_arn + "x"));
        await AssertError(get, 404, "ResourceNotFoundException", "Message");
        using var checkpoint = await _h.Http.PostAsync(Api + "/durable-executions/" + Uri.EscapeDataString(_arn + "x") + "/checkpoint", Json("{\"CheckpointToken\":\"t\",\"Updates\":[]}"));
        await AssertError(checkpoint, 404, "ResourceNotFoundException", "Message");
        var ex = Assert.ThrowsAsync<CheckpointException>(() => _h.Client.GetDurableExecutionHistoryAsync(_arn + "x"));
        Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((404, "ResourceNotFoundException")));
    }

    [Test]
    public async Task Unknown_callback_id_is_404_ResourceNotFound_and_a_malformed_one_400()
    {
        var before = Snapshot();
        foreach (var action in new[] { "succeed", "fail", "heartbeat" })
        {
            // Well-formed (the model's CallbackId pattern is the base64 alphabet) but never issued.
            using var response = await _h.Http.PostAsync($"{Api}/durable-execution-callbacks/{Uri.EscapeDataString("bm90LWEtY2FsbGJhY2s+/A==")}/{action}", Json("{}"));
            await AssertError(response, 404, "ResourceNotFoundException", "Message");
            using var malformed = await _h.Http.PostAsync($"{Api}/durable-execution-callbacks/{Uri.EscapeDataString("not-a-callback")}/{action}", Json("{}"));
            await AssertError(malformed, 400, "InvalidParameterValueException", "message");
        }

        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_stale_checkpoint_token_is_400_Invalid_Checkpoint_Token_and_retryable()
    {
        var token = _h.Service.Engine.BeginInvocation(_arn).CheckpointToken!;
        await _h.Client.CheckpointAsync(_arn, token, [], CancellationToken.None); // the token is now used up
        var before = Snapshot();
        var ex = Assert.ThrowsAsync<CheckpointException>(() => _h.Client.CheckpointAsync(_arn, token, [
            new OperationUpdate { Id = "w", Type = OperationType.Wait, SubType = "Wait", Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = 5 } },
        ], CancellationToken.None));
        Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((400, "InvalidParameterValueException")));
        Assert.That(ex.Message, Does.StartWith("Invalid Checkpoint Token"));
        Assert.That(ex.IsRetryable, Is.True);
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task An_illegal_transition_is_400_and_nothing_of_the_batch_is_applied()
    {
        var token = _h.Service.Engine.BeginInvocation(_arn).CheckpointToken!;
        var before = Snapshot();
        var ex = Assert.ThrowsAsync<CheckpointException>(() => _h.Client.CheckpointAsync(_arn, token, [
            new OperationUpdate { Id = "w2", Type = OperationType.Wait, SubType = "Wait", Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = 5 } },
            new OperationUpdate { Id = "cb-1", Type = OperationType.Callback, SubType = "Callback", Name = "approval", Action = OperationAction.Start },
        ], CancellationToken.None));
        Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((400, "InvalidParameterValueException")));
        Assert.That(Snapshot(), Is.EqualTo(before), "the valid first update was not applied either");
    }

    [Test]
    public async Task A_callback_that_already_finished_is_400_CallbackTimeoutException_as_the_model_declares()
    {
        await _h.Client.SendCallbackSuccessAsync(_handler.CallbackId!, "1");
        await _h.Service.WaitForIdleAsync(_arn);
        var before = Snapshot();
        var id = Uri.EscapeDataString(_handler.CallbackId!);
        using var response = await _h.Http.PostAsync($"{Api}/durable-execution-callbacks/{id}/succeed", Json("2"));
        await AssertError(response, 400, "CallbackTimeoutException", "Message");
        using var fail = await _h.Http.PostAsync($"{Api}/durable-execution-callbacks/{id}/fail", Json("{}"));
        await AssertError(fail, 400, "CallbackTimeoutException", "Message");
        using var heartbeat = await _h.Http.PostAsync($"{Api}/durable-execution-callbacks/{id}/heartbeat", null);
        await AssertError(heartbeat, 400, "CallbackTimeoutException", "Message");
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_callback_result_over_256_KiB_is_400_and_the_callback_stays_open()
    {
        var before = Snapshot();
        var oversized = new ByteArrayContent(new byte[262_145]);
        oversized.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var response = await _h.Http.PostAsync($"{Api}/durable-execution-callbacks/{Uri.EscapeDataString(_handler.CallbackId!)}/succeed", oversized);
        await AssertError(response, 400, "InvalidParameterValueException", "message");
        Assert.That(Snapshot(), Is.EqualTo(before));
        Assert.That(_h.Service.Engine.GetOperations(_arn).Single(o => o.Id == "cb-1").Status, Is.EqualTo(OperationStatus.Started));
    }

    [Test]
    public async Task A_request_body_over_the_limit_is_413_RequestTooLarge()
    {
        var token = _h.Service.Engine.BeginInvocation(_arn).CheckpointToken!;
        var before = Snapshot();
        var huge = "{\"CheckpointToken\":\"" + token + "\",\"Updates\":[{\"Id\":\"s\",\"Type\":\"STEP\",\"Action\":\"SUCCEED\",\"Payload\":\"" + new string('x', 7 * 1024 * 1024) + "\"}]}";
        using var response = await _h.Http.PostAsync(ArnPath("checkpoint"), Json(huge));
        await AssertError(response, 413, "RequestTooLargeException", "message");
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task Unknown_routes_are_404_and_wrong_methods_405()
    {
        using var unknown = await _h.Http.GetAsync("/2025-12-01/nothing-here");
        await AssertError(unknown, 404, "UnknownOperationException", "message");
        using var wrong = await _h.Http.DeleteAsync(ArnPath(null));
        await AssertError(wrong, 405, "MethodNotAllowedException", "message");
        Assert.That(wrong.Content.Headers.Allow.Concat(wrong.Headers.Select(h => h.Key)), Is.Not.Empty);
        using var getCheckpoint = await _h.Http.GetAsync(ArnPath("checkpoint"));
        await AssertError(getCheckpoint, 405, "MethodNotAllowedException", "message");
    }

    [Test]
    public async Task Bad_start_requests_and_query_values_are_rejected()
    {
        var before = _h.Service.Engine.ListExecutions().Count;
        using var malformed = await _h.Http.PostAsync("/start-durable-execution", Json("{not json"));
        await AssertError(malformed, 400, "InvalidParameterValueException", "message");
        using var unknownFunction = await _h.Http.PostAsync("/start-durable-execution", Json("{\"FunctionName\":\"nope\"}"));
        await AssertError(unknownFunction, 404, "ResourceNotFoundException", "Message");
        using var badInput = await _h.Http.PostAsync("/start-durable-execution", Json("{\"FunctionName\":\"cb\",\"Input\":\"{oops\"}"));
        await AssertError(badInput, 400, "InvalidParameterValueException", "message");
        using var duplicate = await _h.Http.PostAsync("/start-durable-execution", Json("{\"FunctionName\":\"cb\",\"ExecutionName\":\"bad-input\"}"));
        await AssertError(duplicate, 409, "DurableExecutionAlreadyStartedException", "Message");
        using var maxItems = await _h.Http.GetAsync(ArnPath("history") + "?MaxItems=5000");
        await AssertError(maxItems, 400, "InvalidParameterValueException", "message");
        Assert.That(_h.Service.Engine.ListExecutions(), Has.Count.EqualTo(before));
    }

    private string ArnPath(string? action) => Api + "/durable-executions/" + Uri.EscapeDataString(_arn) + (action is null ? string.Empty : "/" + action);

    private string Snapshot() => JsonSerializer.Serialize(new
    {
        Execution = _h.Service.Engine.GetExecution(_arn),
        Operations = _h.Service.Engine.GetOperations(_arn),
        Events = _h.Service.Engine.GetHistory(_arn).Count,
    }, WireJson.Rest);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>
    /// The error as a rest-json client types it: the <c>x-amzn-ErrorType</c> header and <c>__type</c> in the body name the
    /// type; the message is under the member name the API model gives that exception.
    /// </summary>
    internal static async Task AssertError(HttpResponseMessage response, int status, string type, string messageKey)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), body);
        using var doc = JsonDocument.Parse(body);
        Assert.That(doc.RootElement.GetProperty("Type").GetString(), Is.EqualTo(type));
        Assert.That(doc.RootElement.GetProperty("__type").GetString(), Is.EqualTo(type));
        Assert.That(doc.RootElement.GetProperty(messageKey).GetString(), Is.Not.Empty);
        Assert.That(response.Headers.GetValues("x-amzn-ErrorType").Single(), Is.EqualTo(type));
        Assert.That(response.Headers.GetValues("x-amzn-RequestId").Single(), Is.Not.Empty);
    }
}
