using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Interop;

/// <summary>
/// Every durable command of the official AWS SDK for JavaScript v3 (<c>@aws-sdk/client-lambda</c>, pinned in
/// <c>Interop/js/package.json</c>) against the local durable service over HTTP, with dummy credentials: the responses
/// parse, timestamps come back as Dates, blobs as bytes, enums and error objects round-trip, and errors are the
/// exception classes the SDK's model declares, with their HTTP status.
/// </summary>
[Category("Interop")]
[NonParallelizable]
public class ClientLambdaCommandTests
{
    private const string FunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:";
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Held>> _held = new(StringComparer.Ordinal);
    private InteropStack _stack = null!;
    private SdkBridge _sdk = null!;
    private int _names;

    private LocalDurableService Service => _stack.Service;

    private JsHost Host => _stack.Host;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _stack = await InteropStack.StartAsync("steps", "approval", "exhausted");

        // A function played by the test: its invocation stays open, so the test holds a live checkpoint token.
        Service.Register("held", async (input, _, ct) =>
        {
            var held = new Held(input);
            _held.GetOrAdd(input.DurableExecutionArn!, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(held);
            return await held.Release.Task.WaitAsync(ct);
        });
        _sdk = new SdkBridge(Service.Endpoint);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        foreach (var h in _held.Values.Where(t => t.Task.IsCompletedSuccessfully))
        {
            h.Task.Result.Release.TrySetResult(new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending });
        }

        _sdk?.Dispose();
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    private string NewName(string prefix) => $"{prefix}-{Interlocked.Increment(ref _names)}-{Environment.ProcessId}";

    private Task<JsonObject> InvokeAsync(string function, string name, string payload, string type = "RequestResponse")
        => _sdk.OkAsync("Invoke", new JsonObject
        {
            ["FunctionName"] = function,
            ["DurableExecutionName"] = name,
            ["InvocationType"] = type,
            ["Payload"] = SdkBridge.Utf8(payload),
        });

    private Task<JsonObject> HistoryAsync(string arn, JsonObject? extra = null)
    {
        var input = new JsonObject { ["DurableExecutionArn"] = arn, ["IncludeExecutionData"] = true };
        foreach (var (k, v) in extra ?? [])
        {
            input[k] = v?.DeepClone();
        }

        return _sdk.OkAsync("GetDurableExecutionHistory", input);
    }

    private static IEnumerable<string> EventTypes(JsonObject history) => history["Events"]!.AsArray().Select(e => e!["EventType"].Str());

    /// <summary>Polls the execution's history until <paramref name="until"/> holds (at most 60 s).</summary>
    private async Task<IReadOnlyList<HistoryEvent>> AwaitHistoryAsync(string arn, Func<IReadOnlyList<HistoryEvent>, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var events = Service.Engine.GetHistory(arn);
            if (until(events))
            {
                return events;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The execution did not get there in 60 s; history: {string.Join(", ", events.Select(e => e.EventType))}\njs-host:\n{Host.Log}");
            }

            await Task.Delay(50);
        }
    }

    private async Task<(string Arn, string CallbackId)> StartApprovalAsync()
    {
        var started = await InvokeAsync("approval", NewName("approval"), """{"order":7}""", "Event");
        var arn = started["DurableExecutionArn"].Str();
        var events = await AwaitHistoryAsync(arn, h => h.Any(e => e.EventType == HistoryEventType.CallbackStarted) && h[^1].EventType == HistoryEventType.InvocationCompleted);
        return (arn, events.Single(e => e.EventType == HistoryEventType.CallbackStarted).Details.CallbackId!);
    }

    private async Task<(string Arn, Held Held)> StartHeldAsync(string input = """{"held":true}""")
    {
        var arn = Service.StartExecution("held", input, NewName("held"));
        var held = await _held.GetOrAdd(arn, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(TimeSpan.FromSeconds(60));
        return (arn, held);
    }

    private static void AssertError(SdkError error, string name, int status)
    {
        Assert.That((error.Name, error.HttpStatusCode), Is.EqualTo((name, status)), error.ToString());
        Assert.That(error.IsModeledClass, Is.True, $"the SDK built its modeled {name} class: {error}");
        Assert.That(error.Fault, Is.EqualTo("client"));
        Assert.That(error.RequestId, Is.Not.Null.And.Not.Empty, "x-amzn-RequestId reaches $metadata.requestId");
        Assert.That(error.Message, Is.Not.Empty);
    }

    // ---- Invoke ---------------------------------------------------------------------------------------------------

    [Test]
    public async Task Invoke_RequestResponse_with_a_durable_execution_name_returns_the_result_and_the_arn()
    {
        var name = NewName("steps");

        var output = await InvokeAsync("steps", name, """{"value":20}""");

        Assert.That(output["StatusCode"]!.GetValue<int>(), Is.EqualTo(200));
        Assert.That(output["Payload"].AsUtf8(), Is.EqualTo("""{"a":21,"b":42}"""));
        Assert.That(output["DurableExecutionArn"].Str(), Does.Match($@"^arn:aws:lambda:us-east-1:\d{{12}}:function:steps:\$LATEST/durable-execution/{name}/[a-zA-Z0-9_-]+$"));
        Assert.That(output["ExecutedVersion"].Str(), Is.EqualTo("$LATEST"));
        Assert.That(output.ContainsKey("FunctionError"), Is.False);
    }

    [Test]
    public async Task Invoke_Event_answers_202_with_the_arn_and_the_execution_runs_to_its_end()
    {
        var output = await InvokeAsync("steps", NewName("event"), """{"value":1}""", "Event");

        Assert.That(output["StatusCode"]!.GetValue<int>(), Is.EqualTo(202));
        var arn = output["DurableExecutionArn"].Str();
        await AwaitHistoryAsync(arn, h => h[^1].EventType == HistoryEventType.ExecutionSucceeded);
        var execution = await _sdk.OkAsync("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn });
        Assert.That((execution["Status"].Str(), execution["Result"].Str()), Is.EqualTo(("SUCCEEDED", """{"a":2,"b":4}""")));
    }

    [Test]
    public async Task Invoke_of_a_durable_execution_that_fails_answers_a_function_error_with_its_type_and_message()
    {
        var output = await InvokeAsync("exhausted", NewName("fails"), "{}");

        Assert.That((output["StatusCode"]!.GetValue<int>(), output["FunctionError"].Str()), Is.EqualTo((200, "Unhandled")));
        var error = JsonNode.Parse(output["Payload"].AsUtf8())!;
        Assert.That((error["errorType"].Str(), error["errorMessage"].Str()), Is.EqualTo(("StepError", "no luck on attempt 2")));
    }

    [Test]
    public async Task Invoke_with_a_taken_name_and_another_payload_is_DurableExecutionAlreadyStartedException()
    {
        var name = NewName("dup");
        var first = await InvokeAsync("steps", name, """{"value":3}""");

        var error = await _sdk.ErrorAsync("Invoke", new JsonObject
        {
            ["FunctionName"] = "steps",
            ["DurableExecutionName"] = name,
            ["Payload"] = SdkBridge.Utf8("""{"value":4}"""),
        });

        AssertError(error, "DurableExecutionAlreadyStartedException", 409);
        Assert.That(error.Message, Does.Contain(name).And.Contain(first["DurableExecutionArn"].Str()));
    }

    [Test]
    public async Task Invoke_of_an_unknown_function_is_ResourceNotFoundException()
    {
        var error = await _sdk.ErrorAsync("Invoke", new JsonObject
        {
            ["FunctionName"] = "no-such-function",
            ["DurableExecutionName"] = NewName("x"),
            ["Payload"] = SdkBridge.Utf8("{}"),
        });

        AssertError(error, "ResourceNotFoundException", 404);
        Assert.That(error.Message, Does.Contain("no-such-function"));
    }

    // ---- GetDurableExecution ------------------------------------------------------------------------------------------

    [Test]
    public async Task GetDurableExecution_returns_every_field_with_dates_and_honours_IncludeExecutionData()
    {
        var name = NewName("get");
        var arn = (await InvokeAsync("steps", name, """{"value":5}"""))["DurableExecutionArn"].Str();

        var full = await _sdk.OkAsync("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn });
        var bare = await _sdk.OkAsync("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn, ["IncludeExecutionData"] = false });

        Assert.That(full["DurableExecutionArn"].Str(), Is.EqualTo(arn));
        Assert.That(full["DurableExecutionName"].Str(), Is.EqualTo(name));
        Assert.That(full["FunctionArn"].Str(), Is.EqualTo(FunctionArn + "steps"));
        Assert.That(full["Status"].Str(), Is.EqualTo("SUCCEEDED"));
        Assert.That(full["Version"].Str(), Is.EqualTo("$LATEST"));
        Assert.That((full["InputPayload"].Str(), full["Result"].Str()), Is.EqualTo(("""{"value":5}""", """{"a":6,"b":12}""")));
        Assert.That(full["ExecutionDataIncluded"]!.GetValue<bool>(), Is.True);
        var start = full["StartTimestamp"].AsDate();
        var end = full["EndTimestamp"].AsDate();
        Assert.That(start, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That(end, Is.GreaterThanOrEqualTo(start));
        Assert.That(bare.ContainsKey("InputPayload") || bare.ContainsKey("Result"), Is.False, bare.ToJsonString());
        Assert.That(bare["ExecutionDataIncluded"]!.GetValue<bool>(), Is.False);
        Assert.That((bare["Status"].Str(), bare["StartTimestamp"].AsDate()), Is.EqualTo(("SUCCEEDED", start)));
    }

    [Test]
    public async Task GetDurableExecution_of_an_unknown_arn_is_ResourceNotFoundException()
    {
        var error = await _sdk.ErrorAsync("GetDurableExecution", new JsonObject
        {
            ["DurableExecutionArn"] = FunctionArn + "steps:$LATEST/durable-execution/never-ran/0123456789abcdef",
        });

        AssertError(error, "ResourceNotFoundException", 404);
    }

    // ---- GetDurableExecutionHistory -----------------------------------------------------------------------------------

    [Test]
    public async Task GetDurableExecutionHistory_returns_the_events_with_dates_details_and_paging()
    {
        var name = NewName("hist");
        var arn = (await InvokeAsync("steps", name, """{"value":1}"""))["DurableExecutionArn"].Str();

        var history = await HistoryAsync(arn);

        Assert.That(EventTypes(history), Is.EqualTo(new[]
        {
            "ExecutionStarted", "StepStarted", "StepSucceeded", "StepStarted", "StepSucceeded", "InvocationCompleted", "ExecutionSucceeded",
        }));
        var events = history["Events"]!.AsArray().Select(e => e!.AsObject()).ToList();
        Assert.That(events.Select(e => e["EventId"]!.GetValue<int>()), Is.EqualTo(Enumerable.Range(1, 7)));
        var times = events.Select(e => e["EventTimestamp"].AsDate()).ToList();
        Assert.That(times, Is.Ordered);
        Assert.That(events[0]["ExecutionStartedDetails"]!["Input"]!["Payload"].Str(), Is.EqualTo("""{"value":1}"""));
        Assert.That(events[0]["Name"].Str(), Is.EqualTo(name));
        Assert.That(events[2]["Name"].Str(), Is.EqualTo("add-one"));
        Assert.That(events[2]["SubType"].Str(), Is.EqualTo("Step"));
        Assert.That(events[2]["StepSucceededDetails"]!["Result"]!["Payload"].Str(), Is.EqualTo("2"));
        Assert.That(events[2]["StepSucceededDetails"]!["RetryDetails"]!["CurrentAttempt"]!.GetValue<int>(), Is.EqualTo(1));
        var invocation = events[5]["InvocationCompletedDetails"]!;
        Assert.That(invocation["EndTimestamp"].AsDate(), Is.GreaterThanOrEqualTo(invocation["StartTimestamp"].AsDate()));
        Assert.That(invocation["RequestId"].Str(), Does.Match("^[0-9a-f-]{36}$"));
        Assert.That(events[6]["ExecutionSucceededDetails"]!["Result"]!["Payload"].Str(), Is.EqualTo("""{"a":2,"b":4}"""));

        // Paging: MaxItems and NextMarker walk the same events; ReverseOrder turns them around.
        var paged = new List<int>();
        string? marker = null;
        do
        {
            var page = await HistoryAsync(arn, new JsonObject { ["MaxItems"] = 3, ["Marker"] = marker });
            Assert.That(page["Events"]!.AsArray(), Has.Count.LessThanOrEqualTo(3));
            paged.AddRange(page["Events"]!.AsArray().Select(e => e!["EventId"]!.GetValue<int>()));
            marker = page["NextMarker"]?.GetValue<string>();
        }
        while (marker is not null);

        Assert.That(paged, Is.EqualTo(Enumerable.Range(1, 7)));
        var reversed = await HistoryAsync(arn, new JsonObject { ["ReverseOrder"] = true });
        Assert.That(reversed["Events"]!.AsArray().Select(e => e!["EventId"]!.GetValue<int>()), Is.EqualTo(Enumerable.Range(1, 7).Reverse()));
        var bare = await _sdk.OkAsync("GetDurableExecutionHistory", new JsonObject { ["DurableExecutionArn"] = arn, ["IncludeExecutionData"] = false });
        Assert.That(bare["Events"]!.ToJsonString(), Does.Not.Contain("Payload"), "IncludeExecutionData=false leaves payloads out");
    }

    [Test]
    public async Task GetDurableExecutionHistory_of_an_unknown_arn_is_ResourceNotFoundException_and_a_bad_MaxItems_is_InvalidParameterValueException()
    {
        var unknown = await _sdk.ErrorAsync("GetDurableExecutionHistory", new JsonObject
        {
            ["DurableExecutionArn"] = FunctionArn + "steps:$LATEST/durable-execution/never-ran/0123456789abcdef",
        });
        var arn = (await InvokeAsync("steps", NewName("hist-bad"), """{"value":1}"""))["DurableExecutionArn"].Str();
        var badMax = await _sdk.ErrorAsync("GetDurableExecutionHistory", new JsonObject { ["DurableExecutionArn"] = arn, ["MaxItems"] = 5000 });

        AssertError(unknown, "ResourceNotFoundException", 404);
        AssertError(badMax, "InvalidParameterValueException", 400);
    }

    // ---- ListDurableExecutionsByFunction ------------------------------------------------------------------------------

    [Test]
    public async Task ListDurableExecutionsByFunction_filters_by_name_status_and_start_time_and_pages()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var names = new[] { NewName("list"), NewName("list") };
        var arns = new List<string>();
        foreach (var n in names)
        {
            arns.Add((await InvokeAsync("steps", n, """{"value":2}"""))["DurableExecutionArn"].Str());
        }

        var byName = await _sdk.OkAsync("ListDurableExecutionsByFunction", new JsonObject { ["FunctionName"] = "steps", ["DurableExecutionName"] = names[1] });
        var item = byName["DurableExecutions"]!.AsArray().Single()!;
        Assert.That(item["DurableExecutionArn"].Str(), Is.EqualTo(arns[1]));
        Assert.That((item["DurableExecutionName"].Str(), item["FunctionArn"].Str(), item["Status"].Str()), Is.EqualTo((names[1], FunctionArn + "steps", "SUCCEEDED")));
        Assert.That(item["StartTimestamp"].AsDate(), Is.GreaterThan(before));
        Assert.That(item["EndTimestamp"].AsDate(), Is.GreaterThanOrEqualTo(item["StartTimestamp"].AsDate()));

        var recent = await _sdk.OkAsync("ListDurableExecutionsByFunction", new JsonObject
        {
            ["FunctionName"] = "steps",
            ["StartedAfter"] = SdkBridge.Date(before),
            ["Statuses"] = new JsonArray("SUCCEEDED"),
        });
        var recentArns = recent["DurableExecutions"]!.AsArray().Select(e => e!["DurableExecutionArn"].Str()).ToList();
        Assert.That(recentArns, Is.SupersetOf(arns));
        var running = await _sdk.OkAsync("ListDurableExecutionsByFunction", new JsonObject
        {
            ["FunctionName"] = "steps",
            ["StartedAfter"] = SdkBridge.Date(before),
            ["Statuses"] = new JsonArray("RUNNING"),
        });
        Assert.That(running["DurableExecutions"]!.AsArray().Select(e => e!["DurableExecutionArn"].Str()), Has.None.AnyOf(arns.ToArray()));

        var paged = new List<string>();
        string? marker = null;
        do
        {
            var page = await _sdk.OkAsync("ListDurableExecutionsByFunction", new JsonObject
            {
                ["FunctionName"] = "steps",
                ["StartedAfter"] = SdkBridge.Date(before),
                ["MaxItems"] = 1,
                ["Marker"] = marker,
            });
            Assert.That(page["DurableExecutions"]!.AsArray(), Has.Count.LessThanOrEqualTo(1));
            paged.AddRange(page["DurableExecutions"]!.AsArray().Select(e => e!["DurableExecutionArn"].Str()));
            marker = page["NextMarker"]?.GetValue<string>();
        }
        while (marker is not null);

        Assert.That(paged, Is.EquivalentTo(recentArns));
    }

    [Test]
    public async Task ListDurableExecutionsByFunction_of_an_unknown_function_or_status_is_a_typed_error()
    {
        var unknown = await _sdk.ErrorAsync("ListDurableExecutionsByFunction", new JsonObject { ["FunctionName"] = "no-such-function" });
        var badStatus = await _sdk.ErrorAsync("ListDurableExecutionsByFunction", new JsonObject { ["FunctionName"] = "steps", ["Statuses"] = new JsonArray("NOPE") });

        AssertError(unknown, "ResourceNotFoundException", 404);
        AssertError(badStatus, "InvalidParameterValueException", 400);
    }

    // ---- StopDurableExecution -----------------------------------------------------------------------------------------

    [Test]
    public async Task StopDurableExecution_keeps_the_reason_the_sdk_sends_and_a_second_stop_is_InvalidParameterValueException()
    {
        var (arn, _) = await StartApprovalAsync();
        var reason = new JsonObject
        {
            ["ErrorType"] = "OperatorStop",
            ["ErrorMessage"] = "stopped by ops: don't ship \"it\"",
            ["ErrorData"] = """{"ticket":42}""",
            ["StackTrace"] = new JsonArray("line 1", "line 2"),
        };

        var stopped = await _sdk.OkAsync("StopDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn, ["Error"] = reason.DeepClone() });

        var stopTime = stopped["StopTimestamp"].AsDate();
        var execution = await _sdk.OkAsync("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn });
        Assert.That(execution["Status"].Str(), Is.EqualTo("STOPPED"));
        Assert.That(JsonNode.DeepEquals(execution["Error"], reason), Is.True, $"the stop reason round-trips: {execution["Error"]?.ToJsonString()}");
        Assert.That(execution["EndTimestamp"].AsDate(), Is.EqualTo(stopTime));
        var last = (await HistoryAsync(arn))["Events"]!.AsArray()[^1]!;
        Assert.That(last["EventType"].Str(), Is.EqualTo("ExecutionStopped"));
        Assert.That(JsonNode.DeepEquals(last["ExecutionStoppedDetails"]!["Error"]!["Payload"], reason), Is.True, last.ToJsonString());

        var again = await _sdk.ErrorAsync("StopDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn });
        AssertError(again, "InvalidParameterValueException", 400);
        Assert.That(again.Message, Does.Contain("STOPPED"));
    }

    [Test]
    public async Task StopDurableExecution_without_a_reason_and_of_an_unknown_arn()
    {
        var (arn, _) = await StartApprovalAsync();

        var stopped = await _sdk.OkAsync("StopDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn });
        var unknown = await _sdk.ErrorAsync("StopDurableExecution", new JsonObject
        {
            ["DurableExecutionArn"] = FunctionArn + "approval:$LATEST/durable-execution/never-ran/0123456789abcdef",
        });

        Assert.That(stopped["StopTimestamp"].AsDate(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That((await _sdk.OkAsync("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn }))["Status"].Str(), Is.EqualTo("STOPPED"));
        AssertError(unknown, "ResourceNotFoundException", 404);
    }

    // ---- Callbacks ----------------------------------------------------------------------------------------------------

    [Test]
    public async Task SendDurableExecutionCallbackHeartbeat_and_Success_complete_the_callback_and_a_closed_callback_is_CallbackTimeoutException()
    {
        var (arn, callbackId) = await StartApprovalAsync();
        Assert.That(callbackId, Does.Match("^[A-Za-z0-9+/]+={0,2}$"), "the model's CallbackId alphabet");

        var heartbeat = await _sdk.SendAsync("SendDurableExecutionCallbackHeartbeat", new JsonObject { ["CallbackId"] = callbackId });
        var success = await _sdk.SendAsync("SendDurableExecutionCallbackSuccess", new JsonObject
        {
            ["CallbackId"] = callbackId,
            ["Result"] = SdkBridge.Utf8("""{"by":"ana","note":"ok é"}"""),
        });

        Assert.That((heartbeat.Ok, heartbeat.HttpStatusCode, heartbeat.Output.Count), Is.EqualTo((true, 200, 0)), heartbeat.Raw.ToJsonString());
        Assert.That((success.Ok, success.HttpStatusCode, success.Output.Count), Is.EqualTo((true, 200, 0)), success.Raw.ToJsonString());
        var events = await AwaitHistoryAsync(arn, h => h[^1].EventType == HistoryEventType.ExecutionSucceeded);
        Assert.That(events.Single(e => e.EventType == HistoryEventType.CallbackSucceeded).Details.Result!.Payload, Is.EqualTo("""{"by":"ana","note":"ok é"}"""));
        var result = JsonNode.Parse((await _sdk.OkAsync("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn }))["Result"].Str())!;
        Assert.That(result["approved"]!.GetValue<bool>(), Is.True);
        Assert.That(result["answer"]!.ToJsonString(), Does.Contain("ana"), "the workflow received what the SDK sent");

        foreach (var command in new[] { "SendDurableExecutionCallbackSuccess", "SendDurableExecutionCallbackFailure", "SendDurableExecutionCallbackHeartbeat" })
        {
            var input = new JsonObject { ["CallbackId"] = callbackId };
            if (command.EndsWith("Success", StringComparison.Ordinal))
            {
                input["Result"] = SdkBridge.Utf8("{}");
            }

            AssertError(await _sdk.ErrorAsync(command, input), "CallbackTimeoutException", 400);
        }
    }

    [Test]
    public async Task SendDurableExecutionCallbackFailure_delivers_the_error_type_message_data_and_stack_as_the_sdk_sends_them()
    {
        var (arn, callbackId) = await StartApprovalAsync();
        var error = new JsonObject
        {
            ["ErrorType"] = "Rejected",
            ["ErrorMessage"] = "manager said \"no\"",
            ["ErrorData"] = """{"by":"boss"}""",
            ["StackTrace"] = new JsonArray("at approve", "at review"),
        };

        var sent = await _sdk.SendAsync("SendDurableExecutionCallbackFailure", new JsonObject { ["CallbackId"] = callbackId, ["Error"] = error.DeepClone() });

        Assert.That((sent.Ok, sent.HttpStatusCode), Is.EqualTo((true, 200)), sent.Raw.ToJsonString());
        await AwaitHistoryAsync(arn, h => h[^1].EventType == HistoryEventType.ExecutionSucceeded);
        var failed = (await HistoryAsync(arn))["Events"]!.AsArray().Single(e => e!["EventType"].Str() == "CallbackFailed")!;
        Assert.That(JsonNode.DeepEquals(failed["CallbackFailedDetails"]!["Error"]!["Payload"], error), Is.True, failed.ToJsonString());
        var result = JsonNode.Parse((await _sdk.OkAsync("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn }))["Result"].Str())!;
        Assert.That(result["approved"]!.GetValue<bool>(), Is.False);
        Assert.That((result["error"]!["message"].Str(), result["error"]!["data"].Str()), Is.EqualTo(("manager said \"no\"", """{"by":"boss"}""")), "the JavaScript workflow read the failure back");
    }

    [Test]
    public async Task Callback_commands_for_an_unknown_callback_id_are_ResourceNotFoundException()
    {
        var unknown = Convert.ToBase64String(new byte[32]);

        AssertError(await _sdk.ErrorAsync("SendDurableExecutionCallbackSuccess", new JsonObject { ["CallbackId"] = unknown, ["Result"] = SdkBridge.Utf8("1") }), "ResourceNotFoundException", 404);
        AssertError(await _sdk.ErrorAsync("SendDurableExecutionCallbackFailure", new JsonObject { ["CallbackId"] = unknown, ["Error"] = new JsonObject { ["ErrorMessage"] = "x" } }), "ResourceNotFoundException", 404);
        AssertError(await _sdk.ErrorAsync("SendDurableExecutionCallbackHeartbeat", new JsonObject { ["CallbackId"] = unknown }), "ResourceNotFoundException", 404);
    }

    // ---- CheckpointDurableExecution and GetDurableExecutionState (a live invocation's token) ----------------------------

    [Test]
    public async Task CheckpointDurableExecution_and_GetDurableExecutionState_with_a_live_token()
    {
        var (arn, held) = await StartHeldAsync();
        var token = held.Input.CheckpointToken!;

        var state = await _sdk.OkAsync("GetDurableExecutionState", new JsonObject { ["DurableExecutionArn"] = arn, ["CheckpointToken"] = token });
        var execution = state["Operations"]!.AsArray().Single()!;
        Assert.That((execution["Type"].Str(), execution["Status"].Str()), Is.EqualTo(("EXECUTION", "STARTED")));
        Assert.That(execution["ExecutionDetails"]!["InputPayload"].Str(), Is.EqualTo("""{"held":true}"""));
        Assert.That(execution["StartTimestamp"].AsDate(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));

        var request = new JsonObject
        {
            ["DurableExecutionArn"] = arn,
            ["CheckpointToken"] = token,
            ["ClientToken"] = "client-token-1",
            ["Updates"] = new JsonArray(
                new JsonObject { ["Id"] = "s1", ["Type"] = "STEP", ["SubType"] = "Step", ["Name"] = "charge", ["Action"] = "START" },
                new JsonObject { ["Id"] = "s1", ["Type"] = "STEP", ["SubType"] = "Step", ["Name"] = "charge", ["Action"] = "SUCCEED", ["Payload"] = """{"charged":10}""" },
                new JsonObject { ["Id"] = "w1", ["Type"] = "WAIT", ["SubType"] = "Wait", ["Name"] = "pause", ["Action"] = "START", ["WaitOptions"] = new JsonObject { ["WaitSeconds"] = 1 } },
                new JsonObject { ["Id"] = "c1", ["Type"] = "CALLBACK", ["SubType"] = "Callback", ["Name"] = "approval", ["Action"] = "START", ["CallbackOptions"] = new JsonObject { ["TimeoutSeconds"] = 300 } }),
        };

        var first = await _sdk.OkAsync("CheckpointDurableExecution", request.DeepClone().AsObject());
        var replayed = await _sdk.OkAsync("CheckpointDurableExecution", request.DeepClone().AsObject());

        var next = first["CheckpointToken"].Str();
        Assert.That(next, Is.Not.EqualTo(token).And.Match("^[A-Za-z0-9+/]+={0,2}$"));
        Assert.That(replayed.ToJsonString(), Is.EqualTo(first.ToJsonString()), "the same ClientToken and request replay the same response");
        var ops = first["NewExecutionState"]!["Operations"]!.AsArray().ToDictionary(o => o!["Id"].Str(), o => o!);
        var step = ops["s1"];
        Assert.That((step["Type"].Str(), step["Status"].Str(), step["Name"].Str()), Is.EqualTo(("STEP", "SUCCEEDED", "charge")));
        Assert.That(step["StepDetails"]!["Result"].Str(), Is.EqualTo("""{"charged":10}"""));
        Assert.That(step["StepDetails"]!["Attempt"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(step["EndTimestamp"].AsDate(), Is.GreaterThanOrEqualTo(step["StartTimestamp"].AsDate()));
        Assert.That(ops["w1"]["WaitDetails"]!["ScheduledEndTimestamp"].AsDate(), Is.EqualTo(ops["w1"]["StartTimestamp"].AsDate().AddSeconds(1)).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(ops["c1"]["CallbackDetails"]!["CallbackId"].Str(), Does.Match("^[A-Za-z0-9+/]+={0,2}$"));

        // The token that was replaced is stale; the error is the retryable one every SDK recognizes.
        var stale = await _sdk.ErrorAsync("CheckpointDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn, ["CheckpointToken"] = token, ["Updates"] = new JsonArray() });
        AssertError(stale, "InvalidParameterValueException", 400);
        Assert.That(stale.Message, Does.StartWith("Invalid Checkpoint Token"));

        // An illegal update is refused and changes nothing.
        var illegal = await _sdk.ErrorAsync("CheckpointDurableExecution", new JsonObject
        {
            ["DurableExecutionArn"] = arn,
            ["CheckpointToken"] = next,
            ["Updates"] = new JsonArray(new JsonObject { ["Id"] = "w1", ["Type"] = "WAIT", ["SubType"] = "Wait", ["Name"] = "pause", ["Action"] = "START", ["WaitOptions"] = new JsonObject { ["WaitSeconds"] = 1 } }),
        });
        AssertError(illegal, "InvalidParameterValueException", 400);

        // The wait's second passes while the invocation still runs: an empty checkpoint brings it back SUCCEEDED.
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        var poll = await _sdk.OkAsync("CheckpointDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn, ["CheckpointToken"] = next, ["Updates"] = new JsonArray() });
        var waited = poll["NewExecutionState"]!["Operations"]!.AsArray().Single()!;
        Assert.That((waited["Id"].Str(), waited["Status"].Str()), Is.EqualTo(("w1", "SUCCEEDED")));
        next = poll["CheckpointToken"].Str();

        // State pages: MaxItems and NextMarker.
        var all = new List<string>();
        string? marker = null;
        do
        {
            var page = await _sdk.OkAsync("GetDurableExecutionState", new JsonObject { ["DurableExecutionArn"] = arn, ["CheckpointToken"] = next, ["MaxItems"] = 2, ["Marker"] = marker });
            Assert.That(page["Operations"]!.AsArray(), Has.Count.LessThanOrEqualTo(2));
            all.AddRange(page["Operations"]!.AsArray().Select(o => o!["Type"].Str() + ":" + o!["Status"].Str()));
            marker = page["NextMarker"]?.GetValue<string>();
        }
        while (marker is not null);

        Assert.That(all, Is.EquivalentTo(new[] { "EXECUTION:STARTED", "STEP:SUCCEEDED", "WAIT:SUCCEEDED", "CALLBACK:STARTED" }));

        held.Release.SetResult(new DurableExecutionInvocationOutput { Status = InvocationStatus.Succeeded, Result = "\"held-done\"" });
        await AwaitHistoryAsync(arn, h => h[^1].EventType == HistoryEventType.ExecutionSucceeded);
        var ended = await _sdk.ErrorAsync("CheckpointDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn, ["CheckpointToken"] = next, ["Updates"] = new JsonArray() });
        AssertError(ended, "InvalidParameterValueException", 400);
    }

    [Test]
    public async Task Checkpoint_and_state_commands_for_an_unknown_arn_are_ResourceNotFoundException()
    {
        var arn = FunctionArn + "held:$LATEST/durable-execution/never-ran/0123456789abcdef";

        AssertError(await _sdk.ErrorAsync("CheckpointDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn, ["CheckpointToken"] = "AAAA", ["Updates"] = new JsonArray() }), "ResourceNotFoundException", 404);
        AssertError(await _sdk.ErrorAsync("GetDurableExecutionState", new JsonObject { ["DurableExecutionArn"] = arn, ["CheckpointToken"] = "AAAA" }), "ResourceNotFoundException", 404);
    }

    [Test]
    public async Task A_ClientToken_reused_for_other_updates_is_refused()
    {
        var (arn, held) = await StartHeldAsync();
        var update = (string id) => new JsonArray(new JsonObject { ["Id"] = id, ["Type"] = "STEP", ["SubType"] = "Step", ["Name"] = id, ["Action"] = "START" });
        await _sdk.OkAsync("CheckpointDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn, ["CheckpointToken"] = held.Input.CheckpointToken, ["ClientToken"] = "same", ["Updates"] = update("a") });

        var conflict = await _sdk.ErrorAsync("CheckpointDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn, ["CheckpointToken"] = held.Input.CheckpointToken, ["ClientToken"] = "same", ["Updates"] = update("b") });

        AssertError(conflict, "InvalidParameterValueException", 400);
        Assert.That(Service.Engine.GetOperations(arn).Select(o => o.Id), Does.Not.Contain("b"), "nothing of the refused request was applied");
        held.Release.SetResult(new DurableExecutionInvocationOutput { Status = InvocationStatus.Succeeded });
    }

    // ---- A fully populated execution: every member of the model the local service can fill round-trips --------------------

    [Test]
    public async Task A_fully_populated_execution_history_and_list_page_round_trip_every_model_member_through_the_sdk()
    {
        // Started as the SDK starts it, with a version and a tenant id; a second one carries an X-Ray trace header (the SDK
        // adds X-Amzn-Trace-Id only inside a Lambda function, so that request is made by hand, as Lambda's runtime would).
        const string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        var name = NewName("full");
        var invoked = await _sdk.OkAsync("Invoke", new JsonObject
        {
            ["FunctionName"] = "steps",
            ["Qualifier"] = "v7",
            ["TenantId"] = "tenant-9",
            ["DurableExecutionName"] = name,
            ["Payload"] = SdkBridge.Utf8("""{"value":9}"""),
        });
        var arn = invoked["DurableExecutionArn"].Str();
        Assert.That(invoked["ExecutedVersion"].Str(), Is.EqualTo("v7"));
        var tracedName = NewName("traced");
        using var http = new HttpClient { BaseAddress = Service.Endpoint };
        using (var request = new HttpRequestMessage(HttpMethod.Post, "2015-03-31/functions/steps/invocations") { Content = new StringContent("""{"value":1}""", System.Text.Encoding.UTF8, "application/json") })
        {
            request.Headers.Add("X-Amz-Durable-Execution-Name", tracedName);
            request.Headers.Add("X-Amzn-Trace-Id", trace);
            using var response = await http.SendAsync(request);
            Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        }

        var traced = (await _sdk.OkAsync("ListDurableExecutionsByFunction", new JsonObject { ["FunctionName"] = "steps", ["DurableExecutionName"] = tracedName }))["DurableExecutions"]![0]!["DurableExecutionArn"].Str();

        var execution = await _sdk.OkAsync("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn });
        Assert.That(execution["DurableExecutionArn"].Str(), Is.EqualTo(arn));
        Assert.That(execution["DurableExecutionName"].Str(), Is.EqualTo(name));
        Assert.That(execution["FunctionArn"].Str(), Is.EqualTo(FunctionArn + "steps"));
        Assert.That(execution["Status"].Str(), Is.EqualTo("SUCCEEDED"));
        Assert.That((execution["InputPayload"].Str(), execution["Result"].Str()), Is.EqualTo(("""{"value":9}""", """{"a":10,"b":20}""")));
        Assert.That(execution["EndTimestamp"].AsDate(), Is.GreaterThanOrEqualTo(execution["StartTimestamp"].AsDate()));
        Assert.That(execution["Version"].Str(), Is.EqualTo("v7"));
        Assert.That(execution["ExecutionDataIncluded"]!.GetValue<bool>(), Is.True);
        var config = execution["DurableConfig"]!;
        Assert.That((config["ExecutionTimeout"]!.GetValue<int>(), config["RetentionPeriodInDays"]!.GetValue<int>()), Is.EqualTo((31_622_400, 14)));
        Assert.That(execution.ContainsKey("TraceHeader"), Is.False, "no trace header was given");
        Assert.That(Service.Engine.GetExecution(arn).TenantId, Is.EqualTo("tenant-9"), "the SDK's TenantId reached the execution");
        var tracedExecution = await _sdk.OkAsync("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = traced });
        Assert.That(tracedExecution["TraceHeader"]!["XAmznTraceId"].Str(), Is.EqualTo(trace));

        var failed = (await InvokeAsync("exhausted", NewName("full-fail"), "{}"))["DurableExecutionArn"].Str();
        var failure = await _sdk.OkAsync("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = failed });
        Assert.That((failure["Status"].Str(), failure["Error"]!["ErrorType"].Str(), failure["Error"]!["ErrorMessage"].Str()), Is.EqualTo(("FAILED", "StepError", "no luck on attempt 2")));

        var history = await HistoryAsync(arn);
        var events = history["Events"]!.AsArray().Select(e => e!.AsObject()).ToList();
        foreach (var e in events)
        {
            Assert.That(e.ContainsKey("EventType") && e.ContainsKey("EventId") && e.ContainsKey("EventTimestamp"), Is.True, e.ToJsonString());
            Assert.That(e.ContainsKey("Id"), Is.EqualTo(e["EventType"].Str() != "InvocationCompleted"), $"every operation's event names it: {e.ToJsonString()}");
            Assert.That(e.Count(kv => kv.Key.EndsWith("Details", StringComparison.Ordinal)), Is.EqualTo(1), $"exactly one details member: {e.ToJsonString()}");
        }

        var started = events[0]["ExecutionStartedDetails"]!;
        Assert.That((started["Input"]!["Payload"].Str(), started["ExecutionTimeout"]!.GetValue<int>()), Is.EqualTo(("""{"value":9}""", 31_622_400)));
        var step = events.First(e => e["EventType"].Str() == "StepSucceeded");
        Assert.That((step["Name"].Str(), step["SubType"].Str(), step["StepSucceededDetails"]!["RetryDetails"]!["CurrentAttempt"]!.GetValue<int>()), Is.EqualTo(("add-one", "Step", 1)));
        var invocation = events.First(e => e["EventType"].Str() == "InvocationCompleted")["InvocationCompletedDetails"]!;
        Assert.That(invocation["RequestId"].Str(), Is.Not.Empty);
        Assert.That(invocation["EndTimestamp"].AsDate(), Is.GreaterThanOrEqualTo(invocation["StartTimestamp"].AsDate()));

        // ParentId and the callback's details, from an execution with a child context.
        var (approval, callbackId) = await StartApprovalAsync();
        var approvalEvents = (await HistoryAsync(approval))["Events"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var context = approvalEvents.First(e => e["EventType"].Str() == "ContextStarted");
        var callback = approvalEvents.First(e => e["EventType"].Str() == "CallbackStarted");
        Assert.That(callback["ParentId"].Str(), Is.EqualTo(context["Id"].Str()));
        Assert.That((callback["CallbackStartedDetails"]!["CallbackId"].Str(), callback["CallbackStartedDetails"]!["Timeout"]!.GetValue<int>()), Is.EqualTo((callbackId, 60)));

        var page = await _sdk.OkAsync("ListDurableExecutionsByFunction", new JsonObject { ["FunctionName"] = "steps", ["DurableExecutionName"] = name });
        var item = page["DurableExecutions"]!.AsArray().Single()!;
        Assert.That((item["DurableExecutionArn"].Str(), item["DurableExecutionName"].Str(), item["FunctionArn"].Str(), item["Status"].Str()), Is.EqualTo((arn, name, FunctionArn + "steps", "SUCCEEDED")));
        Assert.That((item["StartTimestamp"].AsDate(), item["EndTimestamp"].AsDate()), Is.EqualTo((execution["StartTimestamp"].AsDate(), execution["EndTimestamp"].AsDate())));

        // What the service sent is what the SDK kept, member for member.
        foreach (var (command, input, path) in new (string, JsonObject, string)[]
        {
            ("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn }, $"2025-12-01/durable-executions/{Uri.EscapeDataString(arn)}"),
            ("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = traced }, $"2025-12-01/durable-executions/{Uri.EscapeDataString(traced)}"),
            ("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = failed }, $"2025-12-01/durable-executions/{Uri.EscapeDataString(failed)}"),
            ("GetDurableExecutionHistory", new JsonObject { ["DurableExecutionArn"] = approval, ["IncludeExecutionData"] = true }, $"2025-12-01/durable-executions/{Uri.EscapeDataString(approval)}/history?IncludeExecutionData=true"),
            ("ListDurableExecutionsByFunction", new JsonObject { ["FunctionName"] = "steps", ["DurableExecutionName"] = name }, $"2025-12-01/functions/steps/durable-executions?DurableExecutionName={name}"),
        })
        {
            AssertKept(JsonNode.Parse(await http.GetStringAsync(path)), await _sdk.OkAsync(command, input), command);
        }
    }

    // ---- Nothing the service sends is lost: every field is in the SDK's model ----------------------------------------------

    [Test]
    public async Task Every_field_the_service_sends_is_one_the_sdks_model_knows()
    {
        // The SDK drops members its model does not declare, silently: compare what the service sent with what the SDK kept.
        var (stopped, _) = await StartApprovalAsync();
        await _sdk.OkAsync("StopDurableExecution", new JsonObject
        {
            ["DurableExecutionArn"] = stopped,
            ["Error"] = new JsonObject { ["ErrorType"] = "T", ["ErrorMessage"] = "m", ["ErrorData"] = "d", ["StackTrace"] = new JsonArray("s") },
        });
        var (answered, callbackId) = await StartApprovalAsync();
        await _sdk.OkAsync("SendDurableExecutionCallbackFailure", new JsonObject { ["CallbackId"] = callbackId, ["Error"] = new JsonObject { ["ErrorType"] = "T", ["ErrorMessage"] = "m" } });
        var failed = (await InvokeAsync("exhausted", NewName("fields"), "{}"))["DurableExecutionArn"].Str();
        await AwaitHistoryAsync(answered, h => h[^1].EventType == HistoryEventType.ExecutionSucceeded);
        var (held, live) = await StartHeldAsync();
        var token = (await _sdk.OkAsync("CheckpointDurableExecution", new JsonObject
        {
            ["DurableExecutionArn"] = held,
            ["CheckpointToken"] = live.Input.CheckpointToken,
            ["Updates"] = new JsonArray(
                new JsonObject { ["Id"] = "ctx", ["Type"] = "CONTEXT", ["SubType"] = "RunInChildContext", ["Name"] = "ctx", ["Action"] = "START" },
                new JsonObject { ["Id"] = "s1", ["ParentId"] = "ctx", ["Type"] = "STEP", ["SubType"] = "Step", ["Name"] = "s1", ["Action"] = "START" },
                new JsonObject { ["Id"] = "s1", ["ParentId"] = "ctx", ["Type"] = "STEP", ["SubType"] = "Step", ["Name"] = "s1", ["Action"] = "RETRY", ["Error"] = new JsonObject { ["ErrorType"] = "E", ["ErrorMessage"] = "m" }, ["StepOptions"] = new JsonObject { ["NextAttemptDelaySeconds"] = 60 } },
                new JsonObject { ["Id"] = "w1", ["Type"] = "WAIT", ["SubType"] = "Wait", ["Name"] = "w1", ["Action"] = "START", ["WaitOptions"] = new JsonObject { ["WaitSeconds"] = 60 } },
                new JsonObject { ["Id"] = "c1", ["Type"] = "CALLBACK", ["SubType"] = "Callback", ["Name"] = "c1", ["Action"] = "START", ["CallbackOptions"] = new JsonObject { ["TimeoutSeconds"] = 60, ["HeartbeatTimeoutSeconds"] = 30 } },
                new JsonObject { ["Id"] = "done", ["ParentId"] = "ctx", ["Type"] = "STEP", ["SubType"] = "Step", ["Name"] = "done", ["Action"] = "START" },
                new JsonObject { ["Id"] = "done", ["ParentId"] = "ctx", ["Type"] = "STEP", ["SubType"] = "Step", ["Name"] = "done", ["Action"] = "SUCCEED", ["Payload"] = "1" }),
        }))["CheckpointToken"].Str();

        var checks = new List<(string Command, JsonObject Input, string Path)>();
        foreach (var arn in new[] { stopped, answered, failed, held })
        {
            var escaped = Uri.EscapeDataString(arn);
            checks.Add(("GetDurableExecution", new JsonObject { ["DurableExecutionArn"] = arn }, $"2025-12-01/durable-executions/{escaped}"));
            checks.Add(("GetDurableExecutionHistory", new JsonObject { ["DurableExecutionArn"] = arn, ["IncludeExecutionData"] = true }, $"2025-12-01/durable-executions/{escaped}/history?IncludeExecutionData=true"));
        }

        checks.Add(("ListDurableExecutionsByFunction", new JsonObject { ["FunctionName"] = "approval" }, "2025-12-01/functions/approval/durable-executions"));
        checks.Add(("GetDurableExecutionState", new JsonObject { ["DurableExecutionArn"] = held, ["CheckpointToken"] = token }, $"2025-12-01/durable-executions/{Uri.EscapeDataString(held)}/state?CheckpointToken={Uri.EscapeDataString(token)}"));
        using var http = new HttpClient { BaseAddress = Service.Endpoint };
        foreach (var (command, input, path) in checks)
        {
            var raw = JsonNode.Parse(await http.GetStringAsync(path));
            var parsed = await _sdk.OkAsync(command, input);
            AssertKept(raw, parsed, command);
        }

        live.Release.SetResult(new DurableExecutionInvocationOutput { Status = InvocationStatus.Succeeded });
    }

    /// <summary>Every non-null member of <paramref name="raw"/> (what the service sent) is in <paramref name="sdk"/> (what the SDK parsed).</summary>
    private static void AssertKept(JsonNode? raw, JsonNode? sdk, string path)
    {
        switch (raw)
        {
            case null:
                return;
            case JsonObject o:
                Assert.That(sdk, Is.InstanceOf<JsonObject>(), $"{path}: the SDK did not read an object: {sdk?.ToJsonString()}");
                foreach (var (key, value) in o)
                {
                    if (value is null)
                    {
                        continue;
                    }

                    Assert.That(sdk!.AsObject().ContainsKey(key), Is.True, $"{path}.{key} is sent by the service but is not in the SDK's model, which drops it: {value.ToJsonString()}");
                    AssertKept(value, sdk[key], $"{path}.{key}");
                }

                return;
            case JsonArray a:
                Assert.That(sdk, Is.InstanceOf<JsonArray>(), $"{path}: the SDK did not read a list");
                Assert.That(sdk!.AsArray(), Has.Count.EqualTo(a.Count), path);
                for (var i = 0; i < a.Count; i++)
                {
                    AssertKept(a[i], sdk[i], $"{path}[{i}]");
                }

                return;
            default:
                if (sdk is JsonObject date && date.ContainsKey("$date"))
                {
                    Assert.That(raw.GetValueKind(), Is.EqualTo(System.Text.Json.JsonValueKind.Number), $"{path}: a timestamp is epoch seconds on the wire");
                    Assert.That(date.AsDate().ToUnixTimeMilliseconds() / 1000.0, Is.EqualTo(raw.GetValue<double>()).Within(0.001), path);
                }

                return;
        }
    }

    private sealed class Held(DurableExecutionInvocationInput input)
    {
        public DurableExecutionInvocationInput Input { get; } = input;

        public TaskCompletionSource<DurableExecutionInvocationOutput> Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
