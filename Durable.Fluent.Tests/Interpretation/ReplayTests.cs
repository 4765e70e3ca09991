using Durable.Fluent.Checkpointing;
using Durable.Fluent.Serialization;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Tests.Interpretation;

public class ReplayTests
{
    [Test]
    public async Task Completed_steps_are_not_run_again_on_replay()
    {
        var runs = new Dictionary<string, int>();
        string Count(string name, string v)
        {
            runs[name] = runs.GetValueOrDefault(name) + 1;
            return v + name;
        }

        var wf = Workflow.For<string>()
            .Then("a", (v, _) => Count("a", v))
            .Wait("w1", TimeSpan.FromSeconds(10))
            .Then("b", (v, _) => Count("b", v))
            .Wait("w2", TimeSpan.FromMinutes(5))
            .Then("c", (v, _) => Count("c", v))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, ">");

        Assert.That(execution.Result, Is.EqualTo(">abc"));
        Assert.That(execution.Invocations, Is.EqualTo(3));
        Assert.That(runs, Is.EqualTo(new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 1 }));
        Assert.That(runner.Clock.GetUtcNow() - execution.Snapshot.StartTimestamp, Is.EqualTo(TimeSpan.FromSeconds(310)));
    }

    [Test]
    public async Task Operation_ids_are_deterministic_sha256_of_the_position()
    {
        var wf = Workflow.For<int>().Then("a", (x, _) => x).Child("c", c => c.Then("inner", (x, _) => x)).Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);
        var a = execution.GetOperation("a");
        var c = execution.GetOperation("c");
        var inner = execution.GetOperation("inner");
        Assert.That(a.Id, Is.EqualTo(Sha("1")));
        Assert.That(c.Id, Is.EqualTo(Sha("2")));
        Assert.That(inner.Id, Is.EqualTo(Sha(c.Id + "-1")));
        Assert.That(inner.ParentId, Is.EqualTo(c.Id));

        static string Sha(string s) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s))).ToLowerInvariant();
    }

    [Test]
    public async Task A_changed_workflow_fails_the_execution_with_a_non_determinism_error()
    {
        var v1 = Workflow.For<int>().Then("reserve", (x, _) => x).Wait("pause", TimeSpan.FromSeconds(5)).Then("ship", (x, _) => x).Build();
        var v2 = Workflow.For<int>().Then("reserve_stock", (x, _) => x).Wait("pause", TimeSpan.FromSeconds(5)).Then("ship", (x, _) => x).Build();
        var clock = new VirtualClock();
        var engine = new LocalDurableEngine(clock);
        var store = new InMemoryCheckpointStore(engine);
        var arn = engine.StartExecution(new StartExecutionRequest { InputPayload = "1" });

        var first = await v1.HandleAsync(engine.BeginInvocation(arn), store);
        engine.EndInvocation(arn, InvocationOutcome.Returned(first), "r1");
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.That(engine.FireNextTimer(arn), Is.True);

        var second = await v2.HandleAsync(engine.BeginInvocation(arn), store);
        Assert.That(first.Status, Is.EqualTo(InvocationStatus.Pending));
        Assert.That(second.Status, Is.EqualTo(InvocationStatus.Failed));
        Assert.That(second.Error!.ErrorType, Is.EqualTo(typeof(NonDeterministicExecutionException).FullName));
        Assert.That(second.Error.ErrorMessage, Does.Contain("'reserve'").And.Contain("'reserve_stock'"));
        Assert.That(second.Error.ErrorMessage, Does.Contain("The definition changed").And.Not.Contain("not deterministic"));
        Assert.That(engine.GetOperations(arn).Count(o => o.Status == OperationStatus.Failed), Is.EqualTo(0), "a non-determinism error is never checkpointed as an operation failure");
    }

    [Test]
    public async Task A_predicate_that_takes_another_arm_on_replay_is_reported_as_non_deterministic_orchestration_code()
    {
        var calls = 0;
        var wf = Workflow.For<int>()
            .Wait("pause", TimeSpan.FromSeconds(5))
#pragma warning disable DF0001 // the non-deterministic predicate under test
            .If(_ => ++calls == 1, b => b.Then("express", (x, _) => x), b => b.Then("standard", (x, _) => x))
#pragma warning restore DF0001
            .Wait("settle", TimeSpan.FromSeconds(5))
            .Build();
        using var runner = new Durable.Fluent.Testing.DurableTestRunner();

        var execution = await runner.RunAsync(wf, 1);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Does.Contain("Orchestration code is not deterministic").And.Contain("'express'").And.Contain("If predicate"));
        Assert.That(execution.Error.ErrorMessage, Does.Not.Contain("The definition changed"));
    }

    [Test]
    public async Task A_computed_name_that_changes_on_replay_is_reported_as_a_non_deterministic_name_function()
    {
        var calls = 0;
        var wf = Workflow.For<int>()
#pragma warning disable DF0001 // the non-deterministic name function under test
            .Then(OperationName.FromInput<int>(x => $"charge_{++calls}"), (x, _) => x)
#pragma warning restore DF0001
            .Wait("pause", TimeSpan.FromSeconds(5))
            .Build();
        using var runner = new Durable.Fluent.Testing.DurableTestRunner();

        var execution = await runner.RunAsync(wf, 1);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Does.Contain("computed operation name").And.Contain("'charge_2'").And.Contain("'charge_1'"));
    }

    [Test]
    public async Task Step_failure_surfaces_a_typed_exception_with_the_original_type_and_message_on_first_run_and_replay()
    {
        var seen = new List<(string? Type, string Message)>();
        var wf = Workflow.For<int>()
            .Try(
                t => t.Then("charge", int (_, _) => throw new TimeoutException("gateway slow"), s => s.NoRetry()),
                h => h.Catch<StepFailedException>((ex, _) =>
                {
                    seen.Add((ex.ErrorType, ex.Message));
                    return -1;
                }))
            .Wait("after", TimeSpan.FromSeconds(1))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);
        Assert.That(execution.Result, Is.EqualTo(-1));
        Assert.That(seen, Has.Count.EqualTo(2), "the handler runs on the first run and again on replay");
        Assert.That(seen.Distinct().Single(), Is.EqualTo(((string?)"System.TimeoutException", "gateway slow")));
    }

    [Test]
    public async Task An_uncaught_step_failure_fails_the_execution_with_the_original_error()
    {
        var wf = Workflow.For<int>().Then("charge", int (_, _) => throw new ArgumentException("card declined"), s => s.NoRetry()).Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo("System.ArgumentException"));
        Assert.That(execution.Error.ErrorMessage, Is.EqualTo("card declined"));
    }

    [Test]
    public async Task A_custom_serializer_shapes_the_value_on_the_first_run_and_on_replay()
    {
        var observed = new List<string>();
        var wf = Workflow.For<string>()
            .Then("make", (s, _) => s, step => step.SerializeWith(new Reverse()))
            .Do((v, _) => observed.Add(v))
            .Wait("w", TimeSpan.FromSeconds(1))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, "abc");
        Assert.That(observed, Is.EqualTo(new[] { "abc", "abc" }), "round trip (reverse twice) on the first run equals the replayed value");
        Assert.That(execution.GetOperation("make").StepDetails!.Result, Is.EqualTo("cba"));
    }

    [Test]
    public async Task Exceeding_the_operation_limit_fails_with_a_typed_error_naming_the_operation()
    {
        var wf = Workflow.For<int>().Then("one", (x, _) => x).Then("two", (x, _) => x).Then("three", (x, _) => x).Build();
        var engine = new LocalDurableEngine(new VirtualClock());
        var arn = engine.StartExecution(new StartExecutionRequest { InputPayload = "1" });
        var output = await wf.HandleAsync(engine.BeginInvocation(arn), new InMemoryCheckpointStore(engine), new DurableRunOptions { MaxOperations = 2 });
        Assert.That(output.Status, Is.EqualTo(InvocationStatus.Failed));
        Assert.That(output.Error!.ErrorType, Is.EqualTo(typeof(OperationLimitExceededException).FullName));
        Assert.That(output.Error.ErrorMessage, Does.Contain("'three'"));
    }

    [Test]
    public async Task An_oversized_step_result_fails_the_step_without_retrying()
    {
        var wf = Workflow.For<int>().Then("big", (_, _) => new string('x', 300 * 1024)).Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo(typeof(PayloadTooLargeException).FullName));
        Assert.That(execution.Invocations, Is.EqualTo(1));
    }

    [Test]
    public async Task Workflow_logger_lines_are_not_repeated_on_replay()
    {
        var wf = Workflow.For<string>()
            .Do((v, ctx) => ctx.Logger.LogInformation("starting {Value}", v))
            .Wait("w", TimeSpan.FromSeconds(1))
            .Do((v, ctx) => ctx.Logger.LogInformation("resumed {Value}", v))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, "x");
        Assert.That(execution.Logs.Select(l => l.Message), Is.EqualTo(new[] { "starting x", "resumed x" }));
    }

    [Test]
    public async Task History_starts_with_execution_started_and_numbers_events_densely()
    {
        var wf = Workflow.For<int>().Then("a", (x, _) => x).Wait("w", TimeSpan.FromSeconds(2)).Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);
        var history = execution.History;
        Assert.That(history.Select(e => e.EventType), Is.EqualTo(new[]
        {
            HistoryEventType.ExecutionStarted, HistoryEventType.StepStarted, HistoryEventType.StepSucceeded, HistoryEventType.WaitStarted,
            HistoryEventType.InvocationCompleted, HistoryEventType.WaitSucceeded, HistoryEventType.InvocationCompleted, HistoryEventType.ExecutionSucceeded,
        }));
        Assert.That(history.Select(e => e.EventId), Is.EqualTo(Enumerable.Range(1, history.Count)));
        Assert.That(history[3].Details.Duration, Is.EqualTo(2));
        Assert.That(history[5].Details.Duration, Is.EqualTo(2));
    }

    private sealed class Reverse : ISerDes<string>
    {
        public string? Serialize(string value, SerDesContext context) => new(value.Reverse().ToArray());

        public string Deserialize(string? payload, SerDesContext context) => new((payload ?? string.Empty).Reverse().ToArray());
    }
}
