using System.Text.Json;
using System.Text.Json.Nodes;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Wire;

public class WireModelTests
{
    private const string InvocationInputSample = """
        {
          "DurableExecutionArn": "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/order-1/abc",
          "CheckpointToken": "tok-1",
          "InitialExecutionState": {
            "Operations": [
              { "Id": "abc", "Type": "EXECUTION", "Status": "STARTED", "StartTimestamp": 1735689600000,
                "ExecutionDetails": { "InputPayload": "{\"orderId\":\"o-1\"}" } },
              { "Id": "s1", "ParentId": "c1", "Name": "charge", "Type": "STEP", "SubType": "Step", "Status": "PENDING",
                "StartTimestamp": 1735689600123, "StepDetails": { "Attempt": 2, "NextAttemptTimestamp": 1735689610000,
                "Error": { "ErrorType": "System.TimeoutException", "ErrorMessage": "slow", "StackTrace": ["at A", "at B"] } } },
              { "Id": "w1", "Type": "WAIT", "SubType": "Wait", "Status": "SUCCEEDED", "StartTimestamp": 1735689600000,
                "EndTimestamp": 1735689630000, "WaitDetails": { "ScheduledEndTimestamp": 1735689630000 } },
              { "Id": "cb", "Type": "CALLBACK", "SubType": "Callback", "Status": "TIMED_OUT", "StartTimestamp": 1735689600000,
                "CallbackDetails": { "CallbackId": "Y2I=", "Error": { "ErrorType": "Callback.Timeout", "ErrorMessage": "Callback timed out" } } },
              { "Id": "c1", "Type": "CONTEXT", "SubType": "Map", "Status": "SUCCEEDED", "StartTimestamp": 1735689600000,
                "ContextDetails": { "ReplayChildren": true, "Result": "" } },
              { "Id": "i1", "Type": "CHAINED_INVOKE", "SubType": "ChainedInvoke", "Status": "STOPPED", "StartTimestamp": 1735689600000,
                "ChainedInvokeDetails": { "Error": { "ErrorMessage": "stopped" } } }
            ],
            "NextMarker": "m2"
          },
          "UpdatedOperationIds": ["w1"]
        }
        """;

    [Test]
    public void Invocation_input_reads_every_field_with_epoch_millisecond_timestamps()
    {
        var input = JsonSerializer.Deserialize<DurableExecutionInvocationInput>(InvocationInputSample, WireJson.Envelope)!;
        var ops = input.InitialExecutionState!.Operations!;
        Assert.Multiple(() =>
        {
            Assert.That(input.CheckpointToken, Is.EqualTo("tok-1"));
            Assert.That(input.InitialExecutionState.NextMarker, Is.EqualTo("m2"));
            Assert.That(input.UpdatedOperationIds, Is.EqualTo(new[] { "w1" }));
            Assert.That(ops[0].Type, Is.EqualTo(OperationType.Execution));
            Assert.That(ops[0].ExecutionDetails!.InputPayload, Is.EqualTo("{\"orderId\":\"o-1\"}"));
            Assert.That(ops[1].StartTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1735689600123)));
            Assert.That(ops[1].StepDetails!.Attempt, Is.EqualTo(2));
            Assert.That(ops[1].StepDetails!.Error!.StackTrace, Is.EqualTo(new[] { "at A", "at B" }));
            Assert.That(ops[1].Status, Is.EqualTo(OperationStatus.Pending));
            Assert.That(ops[3].Status, Is.EqualTo(OperationStatus.TimedOut));
            Assert.That(ops[4].ContextDetails!.ReplayChildren, Is.True);
            Assert.That(ops[5].Type, Is.EqualTo(OperationType.ChainedInvoke));
            Assert.That(ops[5].Status, Is.EqualTo(OperationStatus.Stopped));
            Assert.That(ops[2].IsTerminal, Is.True);
            Assert.That(ops[1].IsTerminal, Is.False);
        });
    }

    [Test]
    public void Invocation_input_round_trips_to_the_same_json()
    {
        var input = JsonSerializer.Deserialize<DurableExecutionInvocationInput>(InvocationInputSample, WireJson.Envelope)!;
        var again = JsonSerializer.Serialize(input, WireJson.Envelope);
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(again), JsonNode.Parse(InvocationInputSample)), Is.True, again);
    }

    [Test]
    public void Operation_update_writes_pascal_case_upper_snake_enums_and_omits_nulls()
    {
        var update = new OperationUpdate
        {
            Id = "s1",
            Type = OperationType.ChainedInvoke,
            SubType = OperationSubTypes.ChainedInvoke,
            Action = OperationAction.Start,
            Payload = "\"hi\"",
            ChainedInvokeOptions = new ChainedInvokeOptions { FunctionName = "echo:$LATEST", TenantId = "t-1" },
        };
        var json = JsonNode.Parse(JsonSerializer.Serialize(update, WireJson.Envelope))!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(json["Type"]!.GetValue<string>(), Is.EqualTo("CHAINED_INVOKE"));
            Assert.That(json["Action"]!.GetValue<string>(), Is.EqualTo("START"));
            Assert.That(json["ChainedInvokeOptions"]!["FunctionName"]!.GetValue<string>(), Is.EqualTo("echo:$LATEST"));
            Assert.That(json.ContainsKey("ParentId"), Is.False);
            Assert.That(json.ContainsKey("Error"), Is.False);
            Assert.That(json.ContainsKey("StepOptions"), Is.False);
        });
    }

    [TestCase("{\"Id\":\"x\",\"Type\":\"STEPP\",\"Status\":\"STARTED\"}", "OperationType")]
    [TestCase("{\"Id\":\"x\",\"Type\":\"STEP\",\"Status\":\"DONE\"}", "OperationStatus")]
    public void Unknown_enum_tokens_are_rejected_with_a_message_naming_the_enum(string json, string enumName)
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Operation>(json, WireJson.Envelope));
        Assert.That(ex!.Message, Does.Contain(enumName).And.Contain("Unknown"));
    }

    [Test]
    public void Output_envelope_omits_result_and_error_when_absent()
    {
        var json = JsonSerializer.Serialize(new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending }, WireJson.Envelope);
        Assert.That(json, Is.EqualTo("{\"Status\":\"PENDING\"}"));
        var failed = JsonSerializer.Serialize(new DurableExecutionInvocationOutput
        {
            Status = InvocationStatus.Failed,
            Error = new ErrorObject { ErrorType = "System.InvalidOperationException", ErrorMessage = "boom" },
        }, WireJson.Envelope);
        Assert.That(failed, Is.EqualTo("{\"Status\":\"FAILED\",\"Error\":{\"ErrorMessage\":\"boom\",\"ErrorType\":\"System.InvalidOperationException\"}}"));
    }

    [Test]
    public void Rest_options_write_epoch_seconds_and_read_fractional_seconds()
    {
        var op = new Operation { Id = "w", Type = OperationType.Wait, Status = OperationStatus.Started, StartTimestamp = DateTimeOffset.FromUnixTimeMilliseconds(1735689600500) };
        var rest = JsonNode.Parse(JsonSerializer.Serialize(op, WireJson.Rest))!;
        Assert.That(rest["StartTimestamp"]!.GetValue<double>(), Is.EqualTo(1735689600.5));
        var back = JsonSerializer.Deserialize<Operation>(rest.ToJsonString(), WireJson.Rest)!;
        Assert.That(back.StartTimestamp, Is.EqualTo(op.StartTimestamp));
    }

    [Test]
    public void History_event_writes_details_under_the_event_type_key_even_when_empty()
    {
        var e = new HistoryEvent { EventType = HistoryEventType.StepStarted, EventId = 2, EventTimestamp = DateTimeOffset.UnixEpoch, Id = "s", SubType = "Step" };
        var json = JsonNode.Parse(JsonSerializer.Serialize(e, WireJson.Rest))!.AsObject();
        Assert.That(json["StepStartedDetails"]!.ToJsonString(), Is.EqualTo("{}"));
        Assert.That(json.ContainsKey("Name"), Is.False);
        var back = JsonSerializer.Deserialize<HistoryEvent>(json.ToJsonString(), WireJson.Rest)!;
        Assert.That(back, Is.EqualTo(e with { Details = back.Details }));
        Assert.That(back.EventType, Is.EqualTo(HistoryEventType.StepStarted));
    }

    [Test]
    public void History_event_details_round_trip_retry_details_and_error_payload()
    {
        var e = new HistoryEvent
        {
            EventType = HistoryEventType.StepFailed,
            EventId = 3,
            EventTimestamp = DateTimeOffset.UnixEpoch,
            Id = "s",
            Details = new EventDetails { Error = new EventError(new ErrorObject { ErrorType = "T", ErrorMessage = "m" }), RetryDetails = new RetryDetails(1, 5) },
        };
        var json = JsonSerializer.Serialize(e, WireJson.Rest);
        Assert.That(json, Does.Contain("\"StepFailedDetails\":{\"Error\":{\"Payload\":{\"ErrorMessage\":\"m\",\"ErrorType\":\"T\"},\"Truncated\":false},\"RetryDetails\":{\"CurrentAttempt\":1,\"NextAttemptDelaySeconds\":5}}"));
        var back = JsonSerializer.Deserialize<HistoryEvent>(json, WireJson.Rest)!;
        Assert.That(back.Details.RetryDetails, Is.EqualTo(new RetryDetails(1, 5)));
        Assert.That(back.Details.Error!.Payload.ErrorType, Is.EqualTo("T"));
    }
}
