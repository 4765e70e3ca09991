using Durable.Fluent.Checkpointing;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Testing;

/// <summary>
/// Issue 10, defect 7: the execution timeout (DurableConfig.ExecutionTimeout / ExecutionTimeoutSeconds) ends an execution
/// TIMED_OUT with an ExecutionTimedOut event at the deadline, on the runner's virtual clock (no real waiting): while it is
/// suspended, while an invocation runs, and while it waits on the outside world.
/// </summary>
public class ExecutionTimeoutTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DurableTestRunner Runner(int timeoutSeconds) => new(new DurableTestRunnerOptions { ExecutionTimeoutSeconds = timeoutSeconds });

    private static string Shape(IEnumerable<HistoryEvent> events) => string.Join(", ", events.Select(e => e.EventType));

    [Test]
    public async Task A_timeout_that_falls_while_suspended_ends_the_execution_at_the_deadline()
    {
        var secondRan = false;
        var wf = Workflow.For<string>()
            .Then("first", (s, _) => s + "-a")
            .Wait("long_wait", TimeSpan.FromHours(1))
            .Then("second", (s, _) => { secondRan = true; return s; })
            .Build();
        using var runner = Runner(60);

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.TimedOut));
        Assert.That(secondRan, Is.False);
        Assert.That(Shape(execution.History), Is.EqualTo("ExecutionStarted, StepStarted, StepSucceeded, WaitStarted, InvocationCompleted, ExecutionTimedOut"));
        var started = execution.History[0];
        Assert.That(started.Details.ExecutionTimeout, Is.EqualTo(60));
        var timedOut = execution.History[^1];
        Assert.That(timedOut.EventTimestamp, Is.EqualTo(Start.AddSeconds(60)), "recorded at the deadline, not at the wait's end");
        Assert.That(timedOut.Id, Is.EqualTo(started.Id));
        Assert.That(timedOut.Details.Error!.Payload!.ErrorType, Is.EqualTo("Execution.Timeout"));
        Assert.That(timedOut.Details.Error.Payload.ErrorMessage, Does.Contain("60 seconds"));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo("Execution.Timeout"));
        Assert.That(execution.Snapshot.EndTimestamp, Is.EqualTo(Start.AddSeconds(60)));
        Assert.That(runner.Clock.GetUtcNow(), Is.EqualTo(Start.AddSeconds(60)), "the clock stopped at the deadline; the wait never fired");
        Assert.That(execution.GetOperation("long_wait").Status, Is.EqualTo(OperationStatus.Started), "open operations keep their last status");
        Assert.That(runner.Engine.NextTimerDue(execution.DurableExecutionArn), Is.Null, "no timer of a timed-out execution fires");
    }

    [Test]
    public async Task An_execution_that_ends_before_its_deadline_is_not_timed_out()
    {
        var wf = Workflow.For<string>().Wait("short_wait", TimeSpan.FromSeconds(59)).Then("done", (s, _) => s + "!").Build();
        using var runner = Runner(60);
        var execution = await runner.RunAsync(wf, "x");
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo("x!"));
        Assert.That(runner.Clock.GetUtcNow(), Is.EqualTo(Start.AddSeconds(59)));
    }

    [Test]
    public async Task A_wait_that_ends_exactly_at_the_deadline_loses_to_the_timeout()
    {
        var wf = Workflow.For<string>().Wait("wait", TimeSpan.FromSeconds(60)).Then("done", (s, _) => s).Build();
        using var runner = Runner(60);
        var execution = await runner.RunAsync(wf, "x");
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.TimedOut));
        Assert.That(execution.History.Select(e => e.EventType), Has.No.Member(HistoryEventType.WaitSucceeded));
    }

    [Test]
    public async Task A_timeout_that_falls_while_an_invocation_runs_refuses_its_next_checkpoint()
    {
        var nextRan = false;
        DurableTestRunner? clockOwner = null;
        var wf = Workflow.For<string>()
            .Then("slow", (s, _) =>
            {
                clockOwner!.Clock.Advance(TimeSpan.FromMinutes(2)); // a long-running step: the deadline passes meanwhile
                return s;
            }, step => step.AtMostOncePerRetry())
            .Then("next", (s, _) => { nextRan = true; return s; })
            .Build();
        using var runner = Runner(60);
        clockOwner = runner;

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.TimedOut));
        Assert.That(nextRan, Is.False, "the refused SUCCEED ended the invocation");
        Assert.That(Shape(execution.History), Is.EqualTo("ExecutionStarted, StepStarted, ExecutionTimedOut, InvocationCompleted"));
        Assert.That(execution.History[2].EventTimestamp, Is.EqualTo(Start.AddSeconds(60)));
        Assert.That(execution.Invocations, Is.EqualTo(1), "a refused checkpoint of an ended execution is not retried");
        Assert.That(execution.History[3].Details.Error, Is.Null, "the invocation returned (FAILED) rather than crashing");
        Assert.That(execution.GetOperation("slow").Status, Is.EqualTo(OperationStatus.Started));
    }

    [Test]
    public async Task A_timeout_before_a_longer_callback_timeout_ends_the_execution_and_closes_the_callback()
    {
        var wf = Workflow.For<string>()
            .WaitForCallback<string>("approval", (s, id) => { }, cb => cb.Timeout(TimeSpan.FromHours(2)))
            .Build();
        using var runner = Runner(600);

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.TimedOut));
        Assert.That(execution.History.Select(e => e.EventType), Has.No.Member(HistoryEventType.CallbackTimedOut), "the callback's own timeout never fires");
        Assert.That(execution.History[^1].EventTimestamp, Is.EqualTo(Start.AddSeconds(600)));
        var callbackId = execution.GetOperations("approval-callback").Single().CallbackDetails!.CallbackId!;
        var ex = Assert.Throws<LocalEngineException>(() => runner.Engine.SendCallbackSuccess(callbackId, "\"late\""));
        Assert.That(ex!.StatusCode, Is.AnyOf(400, 409), "answered as for a closed execution");
        Assert.That(execution.History.Select(e => e.EventType), Has.No.Member(HistoryEventType.CallbackSucceeded));
    }

    [Test]
    public async Task An_execution_waiting_on_the_outside_world_times_out_when_the_test_moves_the_clock_past_the_deadline()
    {
        var wf = Workflow.For<string>().WaitForCallback<string>("approval", (s, id) => { }).Build();
        using var runner = Runner(300);

        var execution = await runner.RunAsync(wf, "x");
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Running), "blocked on a callback nobody scheduled: the runner hands control back");
        Assert.That(runner.Clock.GetUtcNow(), Is.EqualTo(Start), "the runner does not jump to the deadline by itself");

        runner.Clock.Advance(TimeSpan.FromSeconds(299));
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Running));
        runner.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.TimedOut));
        Assert.That(execution.History[^1].EventTimestamp, Is.EqualTo(Start.AddSeconds(300)));

        var ex = Assert.ThrowsAsync<LocalEngineException>(() => execution.SendCallbackSuccessAsync("approval", "\"too late\""));
        Assert.That(ex!.StatusCode, Is.AnyOf(400, 409), "answered as for a closed execution");
        await execution.ResumeAsync();
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.TimedOut));
        Assert.That(execution.History.Count(e => e.EventType == HistoryEventType.ExecutionTimedOut), Is.EqualTo(1));
    }

    [Test]
    public async Task AdvanceTimeAsync_past_the_deadline_times_the_execution_out_at_the_deadline()
    {
        var wf = Workflow.For<string>()
            .WaitForCallback<string>("approval", (s, id) => { }, cb => cb.HeartbeatTimeout(TimeSpan.FromMinutes(10)))
            .Build();
        using var runner = Runner(300);
        var execution = await runner.RunUntilCallbackAsync(wf, "x", "approval");
        execution.SendCallbackHeartbeat("approval");

        await execution.AdvanceTimeAsync(TimeSpan.FromMinutes(4));
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Running));
        await execution.AdvanceTimeAsync(TimeSpan.FromMinutes(4));

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.TimedOut));
        Assert.That(execution.History[^1].EventType, Is.EqualTo(HistoryEventType.ExecutionTimedOut));
        Assert.That(execution.History[^1].EventTimestamp, Is.EqualTo(Start.AddSeconds(300)));
        Assert.That(execution.History.Select(e => e.EventType), Has.No.Member(HistoryEventType.CallbackTimedOut), "the heartbeat deadline (10 min) never came");
    }

    [Test]
    public void An_out_of_range_timeout_is_rejected_when_the_execution_starts()
    {
        var wf = Workflow.For<string>().Then("s", (s, _) => s).Build();
        foreach (var seconds in new[] { 0, -5, 31_622_401 })
        {
            using var runner = Runner(seconds);
            var ex = Assert.ThrowsAsync<LocalEngineException>(() => runner.RunAsync(wf, "x"));
            Assert.That(ex!.StatusCode, Is.EqualTo(400));
            Assert.That(ex.Message, Does.Contain("ExecutionTimeoutSeconds"));
        }
    }

    [Test]
    public void The_engine_refuses_checkpoints_and_state_reads_of_a_timed_out_execution_without_asking_for_a_retry()
    {
        var clock = new VirtualClock(Start);
        var engine = new LocalDurableEngine(clock);
        var arn = engine.StartExecution(new StartExecutionRequest { ExecutionTimeoutSeconds = 10 });
        var input = engine.BeginInvocation(arn);
        clock.Advance(TimeSpan.FromSeconds(10));

        var update = new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Action = OperationAction.Start };
        var checkpoint = Assert.Throws<LocalEngineException>(() => engine.Checkpoint(arn, input.CheckpointToken!, [update]));
        var state = Assert.Throws<LocalEngineException>(() => engine.GetState(arn, input.CheckpointToken!, null));
        foreach (var ex in new CheckpointException[] { checkpoint!, state! })
        {
            Assert.That((ex.StatusCode, ex.IsRetryable), Is.EqualTo((400, false)));
            Assert.That(ex.Message, Does.Contain("TIMED_OUT"));
        }

        Assert.That(engine.GetExecution(arn).Status, Is.EqualTo(ExecutionStatus.TimedOut));
        Assert.Throws<LocalEngineException>(() => engine.BeginInvocation(arn));
        Assert.That(engine.GetOperations(arn).Select(o => o.Id), Has.No.Member("s1"));
    }

    [Test]
    public async Task The_default_timeout_is_the_longest_the_service_allows()
    {
        var wf = Workflow.For<string>().Wait("a_month", TimeSpan.FromDays(30)).Then("done", (s, _) => s).Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, "x");
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.History[0].Details.ExecutionTimeout, Is.EqualTo(31_622_400));
    }
}
