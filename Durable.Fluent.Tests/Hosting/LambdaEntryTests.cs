using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Durable.Fluent.Hosting;
using Durable.Fluent.LocalService;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.Hosting;

/// <summary>The Lambda entry: envelope types under the Lambda serializer's settings, the stream overloads, and the default client.</summary>
public class LambdaEntryTests
{
    private const string EnvelopeJson = """
        {
          "DurableExecutionArn": "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST/durable-execution/e1/abc",
          "CheckpointToken": "tok",
          "InitialExecutionState": {
            "Operations": [
              { "Id": "abc", "Type": "EXECUTION", "Status": "STARTED", "StartTimestamp": 1767268800123,
                "ExecutionDetails": { "InputPayload": "\"World\"" } },
              { "Id": "s1", "Name": "greet", "Type": "WAIT", "SubType": "Wait", "Status": "STARTED", "StartTimestamp": 1767268800500,
                "WaitDetails": { "ScheduledEndTimestamp": 1767268830500 } }
            ],
            "NextMarker": ""
          },
          "UpdatedOperationIds": []
        }
        """;

    private static readonly Workflow<string, string> Greeter = Workflow.For<string>().Then("greet", (s, _) => $"Hello, {s}!").Build();

    [TearDown]
    public void TearDown() => DefaultCheckpointStore.Reset();

    /// <summary>
    /// The options Amazon.Lambda.Serialization.SystemTextJson's DefaultLambdaJsonSerializer builds (we cannot reference it):
    /// case-insensitive names, nulls ignored, the AWS naming policy (names unchanged, or camelCase in
    /// CamelCaseLambdaJsonSerializer), its DateTime converter (epoch seconds or ISO strings) and relaxed escaping.
    /// </summary>
    private static JsonSerializerOptions LambdaSerializerOptions(bool camelCase) => new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
        PropertyNamingPolicy = new AwsLikeNamingPolicy(camelCase ? JsonNamingPolicy.CamelCase : null),
        Converters = { new LambdaLikeDateTimeConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [TestCase(false)]
    [TestCase(true)]
    public void The_envelope_reads_and_the_output_writes_the_same_under_the_Lambda_serializer_settings(bool camelCase)
    {
        var options = LambdaSerializerOptions(camelCase);

        var viaLambda = JsonSerializer.Deserialize<DurableExecutionInvocationInput>(EnvelopeJson, options)!;
        var viaWire = JsonSerializer.Deserialize<DurableExecutionInvocationInput>(EnvelopeJson, WireJson.Envelope)!;

        Assert.That(JsonSerializer.Serialize(viaLambda, WireJson.Envelope), Is.EqualTo(JsonSerializer.Serialize(viaWire, WireJson.Envelope)));
        var ops = viaLambda.InitialExecutionState!.Operations!;
        Assert.That(ops[0].StartTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1767268800123)), "epoch milliseconds, not the Lambda DateTime converter's seconds");
        Assert.That(ops[1].WaitDetails!.ScheduledEndTimestamp, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1767268830500)));
        Assert.That((ops[0].Type, ops[1].Status), Is.EqualTo((OperationType.Execution, OperationStatus.Started)));

        var output = new DurableExecutionInvocationOutput { Status = InvocationStatus.Failed, Error = new ErrorObject { ErrorType = "E", ErrorMessage = "m" } };
        Assert.That(JsonSerializer.Serialize(output, options), Is.EqualTo(JsonSerializer.Serialize(output, WireJson.Envelope)));
        Assert.That(JsonSerializer.Serialize(output, options), Is.EqualTo("""{"Status":"FAILED","Error":{"ErrorMessage":"m","ErrorType":"E"}}"""));
    }

    [Test]
    public void Property_names_are_matched_case_insensitively_as_the_Lambda_serializer_does()
    {
        var lower = """{"durableExecutionArn":"arn:x","checkpointToken":"t"}""";
        var input = JsonSerializer.Deserialize<DurableExecutionInvocationInput>(lower, LambdaSerializerOptions(camelCase: false))!;
        Assert.That((input.DurableExecutionArn, input.CheckpointToken), Is.EqualTo(("arn:x", "t")));
    }

    [Test]
    public async Task The_stream_overload_reads_the_envelope_and_writes_the_output()
    {
        var engine = new LocalDurableEngine(new FakeTimeProvider());
        var arn = engine.StartExecution(new StartExecutionRequest { InputPayload = "\"World\"" });
        var envelope = engine.BeginInvocation(arn);
        using var request = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(envelope, WireJson.Envelope));
        using var response = new MemoryStream();

        await Greeter.HandleAsync(request, response, new InMemoryCheckpointStore(engine));

        Assert.That(Encoding.UTF8.GetString(response.ToArray()), Is.EqualTo("""{"Status":"SUCCEEDED","Result":"\"Hello, World!\""}"""));
    }

    [Test]
    public void A_stream_that_is_not_an_envelope_is_thrown_out_of_the_handler()
    {
        using var request = new MemoryStream("[1,2"u8.ToArray());
        Assert.That(() => Greeter.HandleAsync(request, new MemoryStream(), new InMemoryCheckpointStore(new LocalDurableEngine(TimeProvider.System))),
            Throws.TypeOf<InvalidInvocationInputException>().With.Message.StartsWith("Unexpected payload"));
    }

    [Test]
    public async Task HandleAsync_without_a_store_uses_the_default_client_over_http()
    {
        var wf = Workflow.For<string>().Then("greet", (s, _) => $"Hello, {s}!").Wait("nap", TimeSpan.FromSeconds(5)).Build();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var service = new LocalDurableService(new LocalDurableServiceOptions { TimeProvider = clock });
        var created = 0;
        DefaultCheckpointStore.Reset(() => { created++; return service.CreateClient(); });
        // A "deployed function": the plain Lambda entry (envelope in, output out) and the stream entry, no store argument.
        service.Register("plain", (input, _, ct) => wf.HandleAsync(input, new DurableRunOptions { TimeProvider = clock }, ct));
        service.Register("stream", async (input, _, ct) =>
        {
            using var request = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(input, WireJson.Envelope));
            using var response = await wf.HandleAsync(request, ct);
            return (await JsonSerializer.DeserializeAsync<DurableExecutionInvocationOutput>(response, WireJson.Envelope, ct))!;
        });
        service.Start();
        using var client = service.CreateClient();

        foreach (var fn in new[] { "plain", "stream" })
        {
            var arn = service.StartExecution(fn, "\"Lambda\"");
            await service.WaitForIdleAsync(arn);
            clock.Advance(TimeSpan.FromSeconds(5));
            await service.WaitForIdleAsync(arn);
            var execution = await client.GetDurableExecutionAsync(arn);
            Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), fn);
            Assert.That(execution.Result, Is.EqualTo("\"Hello, Lambda!\""), fn);
        }

        Assert.That(created, Is.EqualTo(1), "one client per process");
    }

    private sealed class AwsLikeNamingPolicy(JsonNamingPolicy? fallback) : JsonNamingPolicy
    {
        public override string ConvertName(string name) => name switch
        {
            "XAmzId2" => "x-amz-id-2",
            "XAmzRequestId" => "x-amz-request-id",
            _ => fallback?.ConvertName(name) ?? name,
        };
    }

    private sealed class LambdaLikeDateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTime(out var date))
            {
                return date;
            }

            if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var seconds))
            {
                return DateTime.UnixEpoch.AddSeconds(seconds);
            }

            throw new JsonException($"Unknown data type for DateTime: {reader.TokenType}");
        }

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
