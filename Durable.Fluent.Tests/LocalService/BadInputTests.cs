using System.Net;
using System.Text;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>Bad requests get the AWS error shape and status, and change nothing (state is compared before and after).</summary>
public class BadInputTests : CallbackExecutionFixture
{
    [Test]
    public async Task Malformed_checkpoint_json_is_400_InvalidParameterValue_and_changes_nothing()
    {
        var token = H.Service.Engine.BeginInvocation(Arn).CheckpointToken!;
        var before = Snapshot();
        using var response = await H.Http.PostAsync(ArnPath("checkpoint"), Json("{\"CheckpointToken\":\"" + token + "\",\"Updates\":[{\"Id\":"));
        await AssertError(response, 400, "InvalidParameterValueException", "message");
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task UnknownArn_is_404_ResourceNotFound()
    {
        using var get = await H.Http.GetAsync(Api + "/durable-executions/" + Uri.EscapeDataString(Arn + "x"));
        await AssertError(get, 404, "ResourceNotFoundException", "Message");
        using var checkpoint = await H.Http.PostAsync(Api + "/durable-executions/" + Uri.EscapeDataString(Arn + "x") + "/checkpoint", Json("{\"CheckpointToken\":\"t\",\"Updates\":[]}"));
        await AssertError(checkpoint, 404, "ResourceNotFoundException", "Message");
        var ex = Assert.ThrowsAsync<CheckpointException>(() => H.Client.GetDurableExecutionHistoryAsync(Arn + "x"));
        Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((404, "ResourceNotFoundException")));
    }

    [Test]
    public async Task Unknown_callback_id_is_404_ResourceNotFound_and_a_malformed_one_400()
    {
        var before = Snapshot();
        foreach (var action in new[] { "succeed", "fail", "heartbeat" })
        {
            // Well-formed (the model's CallbackId pattern is the base64 alphabet) but never issued.
            using var response = await H.Http.PostAsync($"{Api}/durable-execution-callbacks/{Uri.EscapeDataString("bm90LWEtY2FsbGJhY2s+/A==")}/{action}", Json("{}"));
            await AssertError(response, 404, "ResourceNotFoundException", "Message");
            using var malformed = await H.Http.PostAsync($"{Api}/durable-execution-callbacks/{Uri.EscapeDataString("not-a-callback")}/{action}", Json("{}"));
            await AssertError(malformed, 400, "InvalidParameterValueException", "message");
        }

        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_stale_checkpoint_token_is_400_Invalid_Checkpoint_Token_and_retryable()
    {
        var token = H.Service.Engine.BeginInvocation(Arn).CheckpointToken!;
        await H.Client.CheckpointAsync(Arn, token, [], CancellationToken.None); // the token is now used up
        var before = Snapshot();
        var ex = Assert.ThrowsAsync<CheckpointException>(() => H.Client.CheckpointAsync(Arn, token, [
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
        var token = H.Service.Engine.BeginInvocation(Arn).CheckpointToken!;
        var before = Snapshot();
        var ex = Assert.ThrowsAsync<CheckpointException>(() => H.Client.CheckpointAsync(Arn, token, [
            new OperationUpdate { Id = "w2", Type = OperationType.Wait, SubType = "Wait", Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = 5 } },
            new OperationUpdate { Id = "cb-1", Type = OperationType.Callback, SubType = "Callback", Name = "approval", Action = OperationAction.Start },
        ], CancellationToken.None));
        Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((400, "InvalidParameterValueException")));
        Assert.That(Snapshot(), Is.EqualTo(before), "the valid first update was not applied either");
    }

    [Test]
    public async Task A_callback_that_already_finished_is_400_CallbackTimeoutException_as_the_model_declares()
    {
        await H.Client.SendCallbackSuccessAsync(Handler.CallbackId!, "1");
        await H.Service.WaitForIdleAsync(Arn);
        var before = Snapshot();
        var id = Uri.EscapeDataString(Handler.CallbackId!);
        using var response = await H.Http.PostAsync($"{Api}/durable-execution-callbacks/{id}/succeed", Json("2"));
        await AssertError(response, 400, "CallbackTimeoutException", "Message");
        using var fail = await H.Http.PostAsync($"{Api}/durable-execution-callbacks/{id}/fail", Json("{}"));
        await AssertError(fail, 400, "CallbackTimeoutException", "Message");
        using var heartbeat = await H.Http.PostAsync($"{Api}/durable-execution-callbacks/{id}/heartbeat", null);
        await AssertError(heartbeat, 400, "CallbackTimeoutException", "Message");
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_callback_result_over_256_KiB_is_400_and_the_callback_stays_open()
    {
        var before = Snapshot();
        var oversized = new ByteArrayContent(new byte[262_145]);
        oversized.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var response = await H.Http.PostAsync($"{Api}/durable-execution-callbacks/{Uri.EscapeDataString(Handler.CallbackId!)}/succeed", oversized);
        await AssertError(response, 400, "InvalidParameterValueException", "message");
        Assert.That(Snapshot(), Is.EqualTo(before));
        Assert.That(H.Service.Engine.GetOperations(Arn).Single(o => o.Id == "cb-1").Status, Is.EqualTo(OperationStatus.Started));
    }

    [Test]
    public async Task A_request_body_over_the_limit_is_413_RequestTooLarge()
    {
        var token = H.Service.Engine.BeginInvocation(Arn).CheckpointToken!;
        var before = Snapshot();
        var huge = "{\"CheckpointToken\":\"" + token + "\",\"Updates\":[{\"Id\":\"s\",\"Type\":\"STEP\",\"Action\":\"SUCCEED\",\"Payload\":\"" + new string('x', 7 * 1024 * 1024) + "\"}]}";
        using var response = await H.Http.PostAsync(ArnPath("checkpoint"), Json(huge));
        await AssertError(response, 413, "RequestTooLargeException", "message");
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task Unknown_routes_are_404_and_wrong_methods_405()
    {
        using var unknown = await H.Http.GetAsync("/2025-12-01/nothing-here");
        await AssertError(unknown, 404, "UnknownOperationException", "message");
        using var wrong = await H.Http.DeleteAsync(ArnPath(null));
        await AssertError(wrong, 405, "MethodNotAllowedException", "message");
        Assert.That(wrong.Content.Headers.Allow.Concat(wrong.Headers.Select(h => h.Key)), Is.Not.Empty);
        using var getCheckpoint = await H.Http.GetAsync(ArnPath("checkpoint"));
        await AssertError(getCheckpoint, 405, "MethodNotAllowedException", "message");
    }

    [Test]
    public async Task Bad_start_requests_and_query_values_are_rejected()
    {
        var before = H.Service.Engine.ListExecutions().Count;
        using var malformed = await H.Http.PostAsync("/start-durable-execution", Json("{not json"));
        await AssertError(malformed, 400, "InvalidParameterValueException", "message");
        using var unknownFunction = await H.Http.PostAsync("/start-durable-execution", Json("{\"FunctionName\":\"nope\"}"));
        await AssertError(unknownFunction, 404, "ResourceNotFoundException", "Message");
        using var badInput = await H.Http.PostAsync("/start-durable-execution", Json("{\"FunctionName\":\"cb\",\"Input\":\"{oops\"}"));
        await AssertError(badInput, 400, "InvalidParameterValueException", "message");
        using var duplicate = await H.Http.PostAsync("/start-durable-execution", Json("{\"FunctionName\":\"cb\",\"ExecutionName\":\"badinputtests\"}"));
        await AssertError(duplicate, 409, "DurableExecutionAlreadyStartedException", "Message");
        using var maxItems = await H.Http.GetAsync(ArnPath("history") + "?MaxItems=5000");
        await AssertError(maxItems, 400, "InvalidParameterValueException", "message");
        Assert.That(H.Service.Engine.ListExecutions(), Has.Count.EqualTo(before));
    }

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
