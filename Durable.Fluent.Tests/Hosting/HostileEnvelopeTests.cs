using System.Text;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Hosting;

/// <summary>
/// Issue 10, defect 6: hostile invocation envelopes and state pages. Each case ends, within a bound, in exactly the
/// documented outcome (README "Errors"): a thrown <see cref="InvalidInvocationInputException"/> naming what is wrong, a
/// FAILED output, a thrown retryable error, or — for what the wire model tolerates — success. Never a hang, a
/// NullReferenceException or an ArgumentOutOfRangeException, and never a workflow that runs on the wrong input.
/// </summary>
public class HostileEnvelopeTests
{
    private const string Arn = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/e/exec1";
    private const string ExecOp = """{"Id":"exec1","Type":"EXECUTION","Status":"STARTED","StartTimestamp":1767268800000,"ExecutionDetails":{"InputPayload":"\"World\""}}""";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly string StepId = Durable.Fluent.Interpretation.OperationIds.Create(null, 1);

    private static readonly Workflow<string, string> Greeter = Workflow.For<string>().Then("greet", (s, _) => $"Hello, {s}!").Build();

    /// <summary>What a case must end in.</summary>
    public sealed record Expect(string Kind, string Fragment)
    {
        public static Expect Invalid(string fragment) => new("invalid", fragment);

        public static Expect Failed(string fragment) => new("failed", fragment);

        public static Expect Retried(string fragment) => new("retried", fragment);

        public static Expect Succeeds(string result) => new("succeeds", result);

        public override string ToString() => $"{Kind}: {Fragment}";
    }

    private static string Envelope(string operations, string extra = "", string arn = Arn, string token = "\"t0\"")
        => $$"""{"DurableExecutionArn":"{{arn}}","CheckpointToken":{{token}},"InitialExecutionState":{"Operations":[{{operations}}]}{{extra}}}""";

    private static string Step(string fields) => $$"""{"Id":"{{StepId}}","Name":"greet","Type":"STEP","SubType":"Step",{{fields}}}""";

    public static IEnumerable<TestCaseData> StreamCases()
    {
        TestCaseData Case(string name, string json, Expect expect) => new TestCaseData(Encoding.UTF8.GetBytes(json), expect).SetName("Envelope: " + name);

        // Not an envelope at all.
        yield return new TestCaseData(Array.Empty<byte>(), Expect.Invalid("not a valid durable execution envelope")).SetName("Envelope: empty body");
        yield return Case("JSON null", "null", Expect.Invalid("the event is null"));
        yield return Case("top-level array", "[]", Expect.Invalid("not a valid durable execution envelope"));
        yield return Case("top-level number", "42", Expect.Invalid("not a valid durable execution envelope"));
        yield return Case("top-level string", "\"hello\"", Expect.Invalid("not a valid durable execution envelope"));
        yield return Case("not JSON", "hello world", Expect.Invalid("not a valid durable execution envelope"));
        yield return Case("truncated JSON", """{"DurableExecutionArn":"arn:aws""", Expect.Invalid("not a valid durable execution envelope"));
        yield return new TestCaseData(Encoding.UTF8.GetBytes("{\"DurableExecutionArn\":\"").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\",\"CheckpointToken\":\"t0\"}")).ToArray(), Expect.Invalid("not a valid durable execution envelope")).SetName("Envelope: invalid UTF-8 in the ARN");
        yield return new TestCaseData(new byte[] { 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D }, Expect.Invalid("DurableExecutionArn and CheckpointToken are required")).SetName("Envelope: invalid UTF-8 in an unknown field name");
        yield return new TestCaseData(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Envelope(ExecOp))).ToArray(), Expect.Invalid("not a valid durable execution envelope")).SetName("Envelope: UTF-16 encoded");
        yield return new TestCaseData(new byte[] { 0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03 }, Expect.Invalid("not a valid durable execution envelope")).SetName("Envelope: gzip bytes");
        yield return Case("nested 100 deep", "{\"X\":" + new string('[', 100) + new string(']', 100) + "}", Expect.Invalid("not a valid durable execution envelope"));

        // ARN and token (thrown, per §a).
        yield return Case("ARN missing", "{\"CheckpointToken\":\"t0\",\"InitialExecutionState\":{\"Operations\":[" + ExecOp + "]}}", Expect.Invalid("DurableExecutionArn and CheckpointToken are required"));
        yield return Case("ARN null", Envelope(ExecOp).Replace($"\"{Arn}\"", "null"), Expect.Invalid("DurableExecutionArn and CheckpointToken are required"));
        yield return Case("ARN empty", Envelope(ExecOp, arn: string.Empty), Expect.Invalid("DurableExecutionArn and CheckpointToken are required"));
        yield return Case("ARN a number", Envelope(ExecOp).Replace($"\"{Arn}\"", "42"), Expect.Invalid("$.DurableExecutionArn"));
        yield return Case("token missing", "{\"DurableExecutionArn\":\"" + Arn + "\",\"InitialExecutionState\":{\"Operations\":[" + ExecOp + "]}}", Expect.Invalid("DurableExecutionArn and CheckpointToken are required"));
        yield return Case("token empty", Envelope(ExecOp, token: "\"\""), Expect.Invalid("DurableExecutionArn and CheckpointToken are required"));
        yield return Case("token an object", Envelope(ExecOp, token: "{}"), Expect.Invalid("$.CheckpointToken"));
        yield return Case("EXECUTION id does not match the ARN", Envelope(ExecOp.Replace("exec1", "other")), Expect.Invalid("ends in 'exec1'"));

        // The state's shape.
        yield return Case("InitialExecutionState an array", $$"""{"DurableExecutionArn":"{{Arn}}","CheckpointToken":"t0","InitialExecutionState":[]}""", Expect.Invalid("$.InitialExecutionState"));
        yield return Case("InitialExecutionState null", $$"""{"DurableExecutionArn":"{{Arn}}","CheckpointToken":"t0","InitialExecutionState":null}""", Expect.Invalid("no EXECUTION operation"));
        yield return Case("Operations an object", "{\"DurableExecutionArn\":\"" + Arn + "\",\"CheckpointToken\":\"t0\",\"InitialExecutionState\":{\"Operations\":{}}}", Expect.Invalid("$.InitialExecutionState.Operations"));
        yield return Case("Operations empty", Envelope(string.Empty), Expect.Invalid("no EXECUTION operation"));
        yield return Case("Operations [null]", Envelope("null"), Expect.Invalid("InitialExecutionState.Operations[0] is null"));
        yield return Case("null after the EXECUTION op", Envelope(ExecOp + ",null"), Expect.Invalid("InitialExecutionState.Operations[1] is null"));
        yield return Case("Operations [42]", Envelope("42"), Expect.Invalid("$.InitialExecutionState.Operations[0]"));
        yield return Case("NextMarker a number", Envelope(ExecOp).Replace("]}", "],\"NextMarker\":42}"), Expect.Invalid("NextMarker"));
        yield return Case("UpdatedOperationIds [null]", Envelope(ExecOp, ",\"UpdatedOperationIds\":[null]"), Expect.Invalid("UpdatedOperationIds[0]"));
        yield return Case("UpdatedOperationIds a string", Envelope(ExecOp, ",\"UpdatedOperationIds\":\"x\""), Expect.Invalid("UpdatedOperationIds"));

        // One operation's fields.
        yield return Case("op without Id", Envelope("""{"Type":"EXECUTION","Status":"STARTED"}"""), Expect.Invalid("Id"));
        yield return Case("op Id null", Envelope("""{"Id":null,"Type":"EXECUTION","Status":"STARTED"}"""), Expect.Invalid("Operations[0] has no Id"));
        yield return Case("op Id empty", Envelope("""{"Id":"","Type":"EXECUTION","Status":"STARTED"}"""), Expect.Invalid("Operations[0] has no Id"));
        yield return Case("op Id a number", Envelope("""{"Id":7,"Type":"EXECUTION","Status":"STARTED"}"""), Expect.Invalid("Operations[0].Id"));
        yield return Case("op without Type (not read as EXECUTION)", Envelope(ExecOp + "," + """{"Id":"x","Status":"STARTED","ExecutionDetails":{"InputPayload":"\"Mallory\""}}"""), Expect.Invalid("Type"));
        yield return Case("op Type null", Envelope(ExecOp.Replace("\"EXECUTION\"", "null")), Expect.Invalid("OperationType"));
        yield return Case("op Type unknown token", Envelope(ExecOp.Replace("\"EXECUTION\"", "\"WORKFLOW\"")), Expect.Invalid("Unknown OperationType value 'WORKFLOW'"));
        yield return Case("op Type lower case", Envelope(ExecOp.Replace("\"EXECUTION\"", "\"execution\"")), Expect.Invalid("Unknown OperationType value 'execution'"));
        yield return Case("op Type a number", Envelope(ExecOp.Replace("\"EXECUTION\"", "0")), Expect.Invalid("OperationType"));
        yield return Case("op without Status", Envelope(ExecOp.Replace("\"Status\":\"STARTED\",", string.Empty)), Expect.Invalid("Status"));
        yield return Case("op Status unknown token", Envelope(ExecOp.Replace("\"STARTED\"", "\"DONE\"")), Expect.Invalid("Unknown OperationStatus value 'DONE'"));
        yield return Case("StartTimestamp 1e300", Envelope(ExecOp.Replace("1767268800000", "1e300")), Expect.Invalid("out of range"));
        yield return Case("StartTimestamp -1e300", Envelope(ExecOp.Replace("1767268800000", "-1e300")), Expect.Invalid("out of range"));
        yield return Case("StartTimestamp 1e400 (infinite)", Envelope(ExecOp.Replace("1767268800000", "1e400")), Expect.Invalid("out of range"));
        yield return Case("StartTimestamp year 10000", Envelope(ExecOp.Replace("1767268800000", "253402300800000")), Expect.Invalid("out of range"));
        yield return Case("StartTimestamp not a date", Envelope(ExecOp.Replace("1767268800000", "\"yesterday\"")), Expect.Invalid("Invalid timestamp 'yesterday'"));
        yield return Case("StartTimestamp a boolean", Envelope(ExecOp.Replace("1767268800000", "true")), Expect.Invalid("Invalid timestamp token"));
        yield return Case("EndTimestamp 9e18", Envelope(ExecOp.Replace("1767268800000", "1767268800000,\"EndTimestamp\":9e18")), Expect.Invalid("out of range"));
        yield return Case("ExecutionDetails a string", Envelope(ExecOp.Replace("{\"InputPayload\":\"\\\"World\\\"\"}", "\"World\"")), Expect.Invalid("ExecutionDetails"));
        yield return Case("Attempt 1e30", Envelope(ExecOp + "," + Step("\"Status\":\"STARTED\",\"StepDetails\":{\"Attempt\":1e30}")), Expect.Invalid("Attempt"));
        yield return Case("Attempt 1.5", Envelope(ExecOp + "," + Step("\"Status\":\"STARTED\",\"StepDetails\":{\"Attempt\":1.5}")), Expect.Invalid("Attempt"));
        yield return Case("Attempt negative", Envelope(ExecOp + "," + Step("\"Status\":\"STARTED\",\"StepDetails\":{\"Attempt\":-1}")), Expect.Invalid("Attempt -1"));
        yield return Case("NextAttemptTimestamp 1e20", Envelope(ExecOp + "," + Step("\"Status\":\"PENDING\",\"StepDetails\":{\"NextAttemptTimestamp\":1e20}")), Expect.Invalid("out of range"));
        yield return Case("ScheduledEndTimestamp -9e15", Envelope(ExecOp + ",{\"Id\":\"w\",\"Type\":\"WAIT\",\"Status\":\"STARTED\",\"WaitDetails\":{\"ScheduledEndTimestamp\":-9e15}}"), Expect.Invalid("out of range"));
        yield return Case("ReplayChildren a string", Envelope(ExecOp + ",{\"Id\":\"c\",\"Type\":\"CONTEXT\",\"Status\":\"SUCCEEDED\",\"ContextDetails\":{\"ReplayChildren\":\"yes\"}}"), Expect.Invalid("ReplayChildren"));
        yield return Case("Error a string", Envelope(ExecOp + "," + Step("\"Status\":\"FAILED\",\"StepDetails\":{\"Error\":\"boom\"}")), Expect.Invalid("Error"));
        yield return Case("StackTrace not an array", Envelope(ExecOp + "," + Step("\"Status\":\"FAILED\",\"StepDetails\":{\"Error\":{\"StackTrace\":\"line\"}}")), Expect.Invalid("StackTrace"));

        // The operations together.
        yield return Case("duplicate step ids", Envelope(ExecOp + "," + Step("\"Status\":\"SUCCEEDED\",\"StepDetails\":{\"Result\":\"\\\"a\\\"\"}") + "," + Step("\"Status\":\"SUCCEEDED\",\"StepDetails\":{\"Result\":\"\\\"b\\\"\"}")), Expect.Invalid("appears twice"));
        yield return Case("EXECUTION op repeated", Envelope(ExecOp + "," + ExecOp), Expect.Invalid("appears twice"));
        yield return Case("two EXECUTION ops", Envelope(ExecOp + "," + ExecOp.Replace("\"exec1\"", "\"exec2\"")), Expect.Invalid("two EXECUTION operations"));
        yield return Case("no EXECUTION op, only a step", Envelope(Step("\"Status\":\"SUCCEEDED\"")), Expect.Invalid("no EXECUTION operation"));

        // Valid envelopes with bad content for this workflow: the execution fails (retrying cannot help).
        yield return Case("input not JSON", Envelope(ExecOp.Replace("\"\\\"World\\\"\"", "\"{not json\"")), Expect.Failed("cannot be read as String"));
        yield return Case("input of the wrong type", Envelope(ExecOp.Replace("\"\\\"World\\\"\"", "\"[1,2]\"")), Expect.Failed("cannot be read as String"));
        yield return Case("step recorded as STOPPED", Envelope(ExecOp + "," + Step("\"Status\":\"STOPPED\"")), Expect.Failed("status Stopped"));
        yield return Case("step id recorded as a WAIT", Envelope(ExecOp + $",{{\"Id\":\"{StepId}\",\"Type\":\"WAIT\",\"Status\":\"STARTED\"}}"), Expect.Failed("WAIT"));

        // Tolerated: what the wire model allows.
        yield return Case("unknown extra fields", Envelope(ExecOp.Replace("\"Status\"", "\"Color\":\"blue\",\"Status\""), ",\"Future\":{\"A\":[1,2]}"), Expect.Succeeds("\"Hello, World!\""));
        yield return Case("ISO-8601 timestamp", Envelope(ExecOp.Replace("1767268800000", "\"2026-01-01T12:00:00Z\"")), Expect.Succeeds("\"Hello, World!\""));
        yield return Case("epoch seconds timestamp", Envelope(ExecOp.Replace("1767268800000", "1767268800.5")), Expect.Succeeds("\"Hello, World!\""));
        yield return Case("empty NextMarker", Envelope(ExecOp).Replace("]}", "],\"NextMarker\":\"\"}"), Expect.Succeeds("\"Hello, World!\""));
        yield return Case("recorded step replays", Envelope(ExecOp + "," + Step("\"Status\":\"SUCCEEDED\",\"StepDetails\":{\"Attempt\":1,\"Result\":\"\\\"from the log\\\"\"}")), Expect.Succeeds("\"from the log\""));
    }

    [TestCaseSource(nameof(StreamCases))]
    public async Task The_stream_entry_ends_every_hostile_envelope_as_documented(byte[] body, Expect expect)
    {
        var store = new PagingStore();
        using var output = new MemoryStream();
        var run = Greeter.HandleAsync(new MemoryStream(body), output, store).WaitAsync(Bound);
        await AssertOutcome(run, () => ReadOutput(output), expect);
        if (expect.Kind == "invalid")
        {
            Assert.That(store.Checkpoints, Is.Zero, "nothing is checkpointed for an envelope that is not trusted");
        }
    }

    public static IEnumerable<TestCaseData> PagingCases()
    {
        TestCaseData Case(string name, Func<string, ExecutionState?> page, Expect expect) => new TestCaseData(page, expect).SetName("Paging: " + name);
        var step = Operation("s", OperationType.Step);

        yield return Case("the same marker again", m => new ExecutionState { Operations = [Operation($"op-{m}", OperationType.Wait)], NextMarker = "m1" }, Expect.Invalid("marker 'm1' a second time"));
        yield return Case("markers in a cycle", m => new ExecutionState { Operations = [Operation($"op-{m}", OperationType.Wait)], NextMarker = m == "m1" ? "m2" : "m1" }, Expect.Invalid("a second time"));
        yield return Case("the same operations again with fresh markers", m => new ExecutionState { Operations = [step], NextMarker = m + "x" }, Expect.Invalid("appears twice"));
        yield return Case("an empty page that announces another", m => new ExecutionState { Operations = [], NextMarker = m + "x" }, Expect.Invalid("no operations but another marker"));
        yield return Case("endless fresh markers and operations", m => new ExecutionState { Operations = [Operation("op-" + m, OperationType.Wait)], NextMarker = "m" + (int.Parse(m[1..], System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) }, Expect.Invalid("did not end after 10,000 pages"));
        yield return Case("a null page", _ => null, Expect.Invalid("with no body"));
        yield return Case("a page with a null operation", _ => new ExecutionState { Operations = [null!] }, Expect.Invalid("state page 2.Operations[0] is null"));
        yield return Case("a page with the EXECUTION operation again", _ => new ExecutionState { Operations = [Operation("exec1", OperationType.Execution)] }, Expect.Invalid("appears twice"));
        yield return Case("a page with a second EXECUTION operation", _ => new ExecutionState { Operations = [Operation("exec2", OperationType.Execution)] }, Expect.Invalid("two EXECUTION operations"));
        yield return Case("an untyped operation on a page", _ => new ExecutionState { Operations = [Operation("x", (OperationType)42)] }, Expect.Invalid("unknown Type (42)"));
        yield return Case("400 while paging fails the execution", _ => throw new CheckpointException("Invalid marker", "InvalidParameterValueException", 400), Expect.Failed("Invalid marker"));
        yield return Case("stale token while paging is retried", _ => throw new CheckpointException("Invalid Checkpoint Token: stale", "InvalidParameterValueException", 400), Expect.Retried("Invalid Checkpoint Token"));
        yield return Case("429 while paging is retried", _ => throw new CheckpointException("Rate exceeded", "TooManyRequestsException", 429), Expect.Retried("Rate exceeded"));
        yield return Case("500 while paging is retried", _ => throw new CheckpointException("Internal error", "ServiceException", 500), Expect.Retried("Internal error"));
        yield return Case("a normal last page", _ => new ExecutionState { Operations = [step with { Id = StepId, Name = "greet", Status = OperationStatus.Succeeded, StepDetails = new StepDetails { Attempt = 1, Result = "\"paged\"" } }] }, Expect.Succeeds("\"paged\""));
    }

    [TestCaseSource(nameof(PagingCases))]
    public async Task State_paging_ends_every_hostile_page_as_documented(Func<string, ExecutionState?> page, Expect expect)
    {
        var store = new PagingStore { Page = page };
        var input = Typed(Operation("exec1", OperationType.Execution) with { ExecutionDetails = new ExecutionDetails { InputPayload = "\"World\"" } }) with
        {
            InitialExecutionState = new ExecutionState
            {
                Operations = [Operation("exec1", OperationType.Execution) with { ExecutionDetails = new ExecutionDetails { InputPayload = "\"World\"" } }],
                NextMarker = "m1",
            },
        };
        DurableExecutionInvocationOutput? output = null;
        var run = Task.Run(async () => output = await Greeter.HandleAsync(input, store)).WaitAsync(Bound);
        await AssertOutcome(run, () => output, expect);
    }

    public static IEnumerable<TestCaseData> CheckpointResponseCases()
    {
        TestCaseData Case(string name, Func<CheckpointResult?> answer, Func<string, ExecutionState?>? page, Expect expect) => new TestCaseData(answer, page, expect).SetName("Checkpoint response: " + name);

        yield return Case("a marker that repeats", () => new CheckpointResult("t1", new ExecutionState { Operations = [], NextMarker = "r1" }), _ => new ExecutionState { Operations = [Operation("w", OperationType.Wait)], NextMarker = "r1" }, Expect.Retried("a second time"));
        yield return Case("no result at all", () => null, null, Expect.Retried("no result"));
        yield return Case("no NewExecutionState", () => new CheckpointResult("t1", null!), null, Expect.Succeeds("\"Hello, World!\""));
        yield return Case("a null operation in the delta", () => new CheckpointResult("t1", new ExecutionState { Operations = [null!] }), null, Expect.Retried("NewExecutionState.Operations[0] is null"));
        yield return Case("a null operation on a later page", () => new CheckpointResult("t1", new ExecutionState { Operations = [], NextMarker = "r1" }), _ => new ExecutionState { Operations = [null!] }, Expect.Retried("GetDurableExecutionState page.Operations[0] is null"));
    }

    [TestCaseSource(nameof(CheckpointResponseCases))]
    public async Task Checkpoint_responses_end_every_hostile_answer_as_documented(Func<CheckpointResult?> answer, Func<string, ExecutionState?>? page, Expect expect)
    {
        var store = new PagingStore { Answer = answer, Page = page };
        DurableExecutionInvocationOutput? output = null;
        var run = Task.Run(async () => output = await Greeter.HandleAsync(Typed(Operation("exec1", OperationType.Execution) with { ExecutionDetails = new ExecutionDetails { InputPayload = "\"World\"" } }), store)).WaitAsync(Bound);
        await AssertOutcome(run, () => output, expect);
    }

    public static IEnumerable<TestCaseData> TypedCases()
    {
        var exec = Operation("exec1", OperationType.Execution) with { ExecutionDetails = new ExecutionDetails { InputPayload = "\"World\"" } };
        TestCaseData Case(string name, DurableExecutionInvocationInput input, string fragment) => new TestCaseData(input, fragment).SetName("Typed envelope: " + name);

        yield return Case("a null operation", Typed(exec, null), "Operations[1] is null");
        yield return Case("an undefined Type", Typed(exec, Operation("x", (OperationType)42)), "unknown Type (42)");
        yield return Case("an undefined Status", Typed(exec, Operation("x", OperationType.Step) with { Status = (OperationStatus)99 }), "unknown Status (99)");
        yield return Case("a null Id", Typed(exec, Operation(null!, OperationType.Step)), "has no Id");
        yield return Case("a null updated id", Typed(exec) with { UpdatedOperationIds = [null!] }, "UpdatedOperationIds[0]");
        yield return Case("a null state", Typed(exec) with { InitialExecutionState = null }, "no EXECUTION operation");
        yield return Case("null Operations", Typed(exec) with { InitialExecutionState = new ExecutionState() }, "no EXECUTION operation");
        yield return Case("an ARN of another execution", Typed(exec) with { DurableExecutionArn = Arn.Replace("/exec1", "/exec9") }, "ends in 'exec9'");
    }

    [TestCaseSource(nameof(TypedCases))]
    public void The_typed_entry_rejects_what_a_lambda_serializer_lets_through(DurableExecutionInvocationInput input, string fragment)
    {
        var store = new PagingStore();
        var ex = Assert.ThrowsAsync<InvalidInvocationInputException>(() => Greeter.HandleAsync(input, store).WaitAsync(Bound));
        Assert.That(ex!.Message, Does.Contain(fragment));
        Assert.That(store.Checkpoints, Is.Zero);
    }

    private static async Task AssertOutcome(Task run, Func<DurableExecutionInvocationOutput?> output, Expect expect)
    {
        Exception? thrown = null;
        try
        {
            await run;
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        Assert.That(thrown, Is.Not.InstanceOf<TimeoutException>(), "the invocation hung");
        Assert.That(thrown, Is.Not.InstanceOf<NullReferenceException>().And.Not.InstanceOf<ArgumentOutOfRangeException>(), thrown?.ToString());
        switch (expect.Kind)
        {
            case "invalid":
                Assert.That(thrown, Is.InstanceOf<InvalidInvocationInputException>(), thrown?.ToString() ?? "nothing was thrown");
                Assert.That(thrown!.Message, Does.Contain(expect.Fragment));
                break;
            case "retried":
                Assert.That(thrown, Is.Not.Null, $"the error must escape so Lambda retries the invocation; output {output()}");
                Assert.That(thrown, Is.InstanceOf<CheckpointException>().With.Property(nameof(CheckpointException.IsRetryable)).True.Or.InstanceOf<InvalidInvocationInputException>());
                Assert.That(thrown!.Message, Does.Contain(expect.Fragment));
                break;
            case "failed":
                Assert.That(thrown, Is.Null, thrown?.ToString());
                Assert.That(output()!.Status, Is.EqualTo(InvocationStatus.Failed));
                Assert.That(output()!.Error!.ErrorMessage, Does.Contain(expect.Fragment));
                break;
            default:
                Assert.That(thrown, Is.Null, thrown?.ToString());
                Assert.That(output()!.Status, Is.EqualTo(InvocationStatus.Succeeded));
                Assert.That(output()!.Result, Is.EqualTo(expect.Fragment));
                break;
        }
    }

    private static DurableExecutionInvocationOutput? ReadOutput(MemoryStream output)
        => output.Length == 0 ? null : System.Text.Json.JsonSerializer.Deserialize<DurableExecutionInvocationOutput>(output.ToArray(), WireJson.Envelope);

    private static DurableExecutionInvocationInput Typed(params Operation?[] operations) => new()
    {
        DurableExecutionArn = Arn,
        CheckpointToken = "t0",
        InitialExecutionState = new ExecutionState { Operations = operations! },
    };

    private static Operation Operation(string id, OperationType type) => new() { Id = id, Type = type, Status = OperationStatus.Started };

    /// <summary>Acknowledges checkpoints (or answers with <see cref="Answer"/>) and serves state pages from <see cref="Page"/>.</summary>
    private sealed class PagingStore : ICheckpointStore
    {
        private int _checkpoints;

        public Func<string, ExecutionState?>? Page { get; init; }

        public Func<CheckpointResult?>? Answer { get; init; }

        public int Checkpoints => Volatile.Read(ref _checkpoints);

        public Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _checkpoints);
            return Task.FromResult(n == 1 && Answer is not null ? Answer()! : new CheckpointResult($"t{n}", new ExecutionState { Operations = [] }));
        }

        public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
            => Task.FromResult((Page ?? (_ => new ExecutionState { Operations = [] }))(marker)!);
    }
}
