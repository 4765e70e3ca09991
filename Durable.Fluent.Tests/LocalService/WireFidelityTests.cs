using System.Net;
using System.Text;
using System.Text.Json;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// The local service speaks the API model exactly, as an official AWS SDK client sees it: payload shapes, the errors each
/// operation declares, and the headers every response carries.
/// </summary>
public class WireFidelityTests : CallbackExecutionFixture
{
    [Test]
    public async Task Callback_failure_body_is_the_bare_error_object_and_every_field_reaches_the_execution()
    {
        const string body = """{"ErrorType":"Rejected","ErrorMessage":"manager said no","ErrorData":"{\"ticket\":42}","StackTrace":["at A","at B"]}""";
        using var response = await H.Http.PostAsync(CallbackPath("fail"), Json(body));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        await H.Service.WaitForIdleAsync(Arn);

        var execution = await H.Client.GetDurableExecutionAsync(Arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(JsonOf(execution.Error), Is.EqualTo(JsonOf(new ErrorObject { ErrorType = "Rejected", ErrorMessage = "manager said no", ErrorData = "{\"ticket\":42}", StackTrace = ["at A", "at B"] })));
        var failed = (await H.Client.GetDurableExecutionHistoryAsync(Arn)).Events.Single(e => e.EventType == HistoryEventType.CallbackFailed);
        Assert.That(failed.Details.Error!.Payload.ErrorData, Is.EqualTo("{\"ticket\":42}"));
    }

    [Test]
    public async Task Stop_body_is_the_bare_error_object_and_the_reason_is_recorded()
    {
        using var response = await H.Http.PostAsync(ArnPath("stop"), Json("""{"ErrorType":"Operator.Cancelled","ErrorMessage":"customer withdrew the order"}"""));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());

        var execution = await H.Client.GetDurableExecutionAsync(Arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Stopped));
        Assert.That(execution.Error, Is.EqualTo(new ErrorObject { ErrorType = "Operator.Cancelled", ErrorMessage = "customer withdrew the order" }));
    }

    [Test]
    public async Task The_client_and_the_service_round_trip_a_stop_reason_and_a_callback_error()
    {
        var error = new ErrorObject { ErrorType = "Rejected", ErrorMessage = "no", ErrorData = "d", StackTrace = ["s"] };
        await H.Client.SendCallbackFailureAsync(Handler.CallbackId!, error);
        await H.Service.WaitForIdleAsync(Arn);
        Assert.That(JsonOf((await H.Client.GetDurableExecutionAsync(Arn)).Error), Is.EqualTo(JsonOf(error)));

        var other = H.Service.StartExecution("cb", null, "wire-stop");
        await H.Service.WaitForIdleAsync(other);
        await H.Client.StopDurableExecutionAsync(other, new ErrorObject { ErrorType = "Stop.Reason", ErrorMessage = "by test" });
        Assert.That((await H.Client.GetDurableExecutionAsync(other)).Error, Is.EqualTo(new ErrorObject { ErrorType = "Stop.Reason", ErrorMessage = "by test" }));
    }

    [Test]
    public async Task A_wrapped_error_body_is_refused_rather_than_silently_dropped()
    {
        var before = Snapshot();
        using var stop = await H.Http.PostAsync(ArnPath("stop"), Json("""{"Error":{"ErrorType":"T","ErrorMessage":"m"}}"""));
        using var fail = await H.Http.PostAsync(CallbackPath("fail"), Json("""{"Error":{"ErrorType":"T","ErrorMessage":"m"}}"""));

        foreach (var response in new[] { stop, fail })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(400), text);
            Assert.That(text, Does.Contain("bare ErrorObject"));
        }

        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task An_empty_stop_body_or_an_empty_object_stops_with_the_default_reason()
    {
        var other = H.Service.StartExecution("cb", null, "wire-empty");
        await H.Service.WaitForIdleAsync(other);
        using var empty = await H.Http.PostAsync(ArnPath("stop"), Json("{}"));
        Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var none = await H.Http.PostAsync(Api + "/durable-executions/" + Uri.EscapeDataString(other) + "/stop", new ByteArrayContent([]));
        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await H.Client.GetDurableExecutionAsync(Arn)).Error!.ErrorType, Is.EqualTo("Execution.Stopped"));
        Assert.That((await H.Client.GetDurableExecutionAsync(other)).Error!.ErrorType, Is.EqualTo("Execution.Stopped"));
    }

    [Test]
    public async Task A_callback_that_timed_out_answers_CallbackTimeoutException_400()
    {
        var handler = new CallbackHandler { TimeoutSeconds = 10 };
        await using var h = new ServiceHarness(register: s => s.Register("cbt", handler.HandleAsync));
        var arn = h.Service.StartExecution("cbt", null, "times-out");
        await h.Service.WaitForIdleAsync(arn);
        h.Clock.Advance(TimeSpan.FromSeconds(11));
        await h.Service.WaitForIdleAsync(arn);
        Assert.That((await h.Client.GetDurableExecutionAsync(arn)).Error!.ErrorType, Is.EqualTo("Callback.Timeout"));

        var ex = Assert.ThrowsAsync<Durable.Fluent.Checkpointing.CheckpointException>(() => h.Client.SendCallbackSuccessAsync(handler.CallbackId!, "\"late\""));
        Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((400, "CallbackTimeoutException")));
        Assert.That(ex.Message, Does.Contain("TIMED_OUT"));
    }

    [TestCase("succeed")]
    [TestCase("stop")]
    public async Task Stopping_an_execution_that_already_ended_is_400_InvalidParameterValue_and_changes_nothing(string how)
    {
        if (how == "succeed")
        {
            await H.Client.SendCallbackSuccessAsync(Handler.CallbackId!, "1");
            await H.Service.WaitForIdleAsync(Arn);
        }
        else
        {
            await H.Client.StopDurableExecutionAsync(Arn);
        }

        var before = Snapshot();
        using var response = await H.Http.PostAsync(ArnPath("stop"), Json("""{"ErrorType":"Again"}"""));
        await BadInputTests.AssertError(response, 400, "InvalidParameterValueException", "message");
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("already ended"));
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [TestCase("/2025-12-01/functions/cb/durable-executions?StartedAfter=1e300")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?StartedBefore=-1e300")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?StartedAfter=NaN")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?StartedAfter=Infinity")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?StartedAfter=253402300800")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?StartedAfter=10000-01-01T00:00:00Z")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?MaxItems=-1")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?MaxItems=1001")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?MaxItems=99999999999999999999")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?MaxItems=")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?ReverseOrder=yes")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?Statuses=DONE")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?Statuses=")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?Marker=-1")]
    [TestCase("/2025-12-01/functions/cb/durable-executions?Marker=99999999999999999999")]
    [TestCase("/2025-12-01/durable-executions?StartedAfter=1e300")]
    [TestCase("{arn}/history?IncludeExecutionData=1")]
    [TestCase("{arn}/history?ReverseOrder=TRUEISH")]
    [TestCase("{arn}/history?MaxItems=-5")]
    [TestCase("{arn}/history?Marker=abc")]
    [TestCase("{arn}?IncludeExecutionData=maybe")]
    [TestCase("{arn}/state?CheckpointToken=x&MaxItems=-1")]
    public async Task Out_of_range_and_malformed_query_values_are_400_never_500(string path)
    {
        using var response = await H.Http.GetAsync(path.Replace("{arn}", ArnPath(null), StringComparison.Ordinal));
        await BadInputTests.AssertError(response, 400, "InvalidParameterValueException", "message");
    }

    [Test]
    public async Task Every_response_carries_a_distinct_x_amzn_RequestId()
    {
        var responses = new List<HttpResponseMessage>
        {
            await H.Http.GetAsync("/health"),
            await H.Http.GetAsync(ArnPath(null)),
            await H.Http.GetAsync(ArnPath("history")),
            await H.Http.GetAsync("/2025-12-01/nothing-here"),
            await H.Http.DeleteAsync(ArnPath(null)),
            await H.Http.GetAsync(Api + "/durable-executions/" + Uri.EscapeDataString(Arn + "x")),
            await H.Http.PostAsync(ArnPath("checkpoint"), Json("{oops")),
            await H.Http.PostAsync(CallbackPath("heartbeat"), null),
        };
        try
        {
            var ids = responses.Select(r => r.Headers.TryGetValues("x-amzn-RequestId", out var v) ? v.Single() : null).ToList();
            Assert.That(ids, Has.None.Null, string.Join(", ", responses.Select(r => (int)r.StatusCode)));
            Assert.That(ids, Is.Unique);
            Assert.That(ids, Has.All.Matches<string>(id => Guid.TryParseExact(id, "D", out _)), "a UUID, as the service sends");
        }
        finally
        {
            responses.ForEach(r => r.Dispose());
        }
    }

    [Test]
    public async Task GetDurableExecution_honours_IncludeExecutionData_and_says_whether_data_is_included()
    {
        var withInput = H.Service.StartExecution("cb", """{"secret":"s3"}""", "with-input");
        await H.Service.WaitForIdleAsync(withInput);
        var path = Api + "/durable-executions/" + Uri.EscapeDataString(withInput);

        using var full = JsonDocument.Parse(await H.Http.GetStringAsync(path));
        using var explicitFull = JsonDocument.Parse(await H.Http.GetStringAsync(path + "?IncludeExecutionData=true"));
        using var metadata = JsonDocument.Parse(await H.Http.GetStringAsync(path + "?IncludeExecutionData=false"));

        Assert.That(full.RootElement.GetProperty("InputPayload").GetString(), Is.EqualTo("""{"secret":"s3"}"""));
        Assert.That(full.RootElement.GetProperty("ExecutionDataIncluded").GetBoolean(), Is.True);
        Assert.That(explicitFull.RootElement.GetProperty("ExecutionDataIncluded").GetBoolean(), Is.True);
        Assert.That(metadata.RootElement.GetProperty("ExecutionDataIncluded").GetBoolean(), Is.False);
        Assert.That(metadata.RootElement.TryGetProperty("InputPayload", out _), Is.False);
        Assert.That(metadata.RootElement.GetProperty("Status").GetString(), Is.EqualTo("RUNNING"));

        var viaClient = await H.Client.GetDurableExecutionAsync(withInput, includeExecutionData: false);
        Assert.That((viaClient.InputPayload, viaClient.ExecutionDataIncluded), Is.EqualTo(((string?)null, (bool?)false)));
    }

    [Test]
    public async Task A_failed_executions_error_is_reduced_to_its_type_without_execution_data()
    {
        await H.Client.SendCallbackFailureAsync(Handler.CallbackId!, new ErrorObject { ErrorType = "Rejected", ErrorMessage = "private detail" });
        await H.Service.WaitForIdleAsync(Arn);
        var metadata = await H.Client.GetDurableExecutionAsync(Arn, includeExecutionData: false);
        Assert.That(JsonOf(metadata.Error), Is.EqualTo(JsonOf(new ErrorObject { ErrorType = "Rejected" })));
    }

    [Test]
    public void Callback_ids_use_only_the_alphabet_of_the_models_CallbackId_pattern()
    {
        var pattern = new System.Text.RegularExpressions.Regex("^[A-Za-z0-9+/]+={0,2}$");
        var ids = new List<string> { Handler.CallbackId! };
        for (var i = 0; i < 30; i++)
        {
            var token = H.Service.Engine.BeginInvocation(Arn).CheckpointToken!;
            var r = H.Service.Engine.Checkpoint(Arn, token, [
                new OperationUpdate { Id = "extra-" + i, Type = OperationType.Callback, SubType = "Callback", Action = OperationAction.Start },
            ]);
            ids.Add(r.NewExecutionState.Operations!.Single(o => o.Id == "extra-" + i).CallbackDetails!.CallbackId!);
        }

        Assert.That(ids, Has.All.Matches<string>(id => pattern.IsMatch(id) && id.Length is >= 1 and <= 1024), string.Join(" ", ids));
        Assert.That(ids, Is.Unique);
    }

    [Test]
    public void The_engines_default_callback_ids_also_use_the_models_alphabet()
    {
        var engine = new Durable.Fluent.Testing.Engine.LocalDurableEngine(new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        var arn = engine.StartExecution(new Durable.Fluent.Testing.Engine.StartExecutionRequest { ExecutionName = "e" });
        var token = engine.BeginInvocation(arn).CheckpointToken!;
        var updates = Enumerable.Range(0, 40)
            .Select(i => new OperationUpdate { Id = "c" + i, Type = OperationType.Callback, SubType = "Callback", Action = OperationAction.Start })
            .ToList();
        var ids = engine.Checkpoint(arn, token, updates).NewExecutionState.Operations!.Select(o => o.CallbackDetails!.CallbackId!).ToList();
        Assert.That(ids, Has.Count.EqualTo(40));
        Assert.That(ids, Has.All.Matches<string>(id => System.Text.RegularExpressions.Regex.IsMatch(id, "^[A-Za-z0-9+/]+={0,2}$")), string.Join(" ", ids));
    }

    private static string JsonOf(ErrorObject? error) => JsonSerializer.Serialize(error, WireJson.Rest);

}
