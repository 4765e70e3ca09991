using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>Executions survive disposing the service and starting a new one on the same SQLite file.</summary>
public class RestartTests(bool invokeOverHttp) : BothCheckpointPaths(invokeOverHttp)
{
    private string _dir = null!;

    private string Db => Path.Combine(_dir, "durable.db");

    [SetUp]
    public void SetUp()
    {
        _dir = TempPaths.Unique("durable-fluent-restart");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task A_chained_invoke_waiting_on_its_target_reports_back_after_a_restart()
    {
        var target = Workflow.For<string>().Wait("long_job", TimeSpan.FromDays(2)).Then("finish", (s, _) => s + "!").Build();
        var caller = Workflow.For<string>().Invoke<string>("call_target", "target").Then("after", (s, _) => s.ToUpperInvariant()).Build();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        string arn;
        await using (var first = NewHarness(Db, clock, s => s.Register("caller", caller).Register("target", target)))
        {
            arn = first.Service.StartExecution("caller", "\"job\"", "chained-survivor");
            await first.Service.WaitForIdleAsync(arn);
            foreach (var e in first.Service.Engine.ListExecutions())
            {
                await first.Service.WaitForIdleAsync(e.DurableExecutionArn);
            }
        }

        await using var second = NewHarness(Db, clock, s => s.Register("caller", caller).Register("target", target));
        var targetArn = second.Service.Engine.ListExecutions().Single(e => e.DurableExecutionArn != arn).DurableExecutionArn;
        var targetDone = await second.DriveAsync(targetArn);
        Assert.That(targetDone.Status, Is.EqualTo(ExecutionStatus.Succeeded));

        var done = await second.DriveAsync(arn);
        Assert.That(done.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(done.Result, Is.EqualTo("\"JOB!\""));
    }

    [Test]
    public async Task An_execution_suspended_on_a_callback_survives_a_restart_and_completes_once()
    {
        var handler = new CallbackHandler();
        string arn;
        string callbackId;
        IReadOnlyList<HistoryEvent> historyBefore;
        await using (var first = NewHarness(Db, register: s => s.Register("cb", handler.HandleAsync)))
        {
            arn = first.Service.StartExecution("cb", "{}", "survivor");
            await first.Service.WaitForIdleAsync(arn);
            historyBefore = (await first.Client.GetDurableExecutionHistoryAsync(arn)).Events;
            callbackId = historyBefore.Single(e => e.EventType == HistoryEventType.CallbackStarted).Details.CallbackId!;
        }

        var handler2 = new CallbackHandler();
        await using var second = NewHarness(Db, register: s => s.Register("cb", handler2.HandleAsync));
        var restored = await second.Client.GetDurableExecutionHistoryAsync(arn);
        Assert.That(JsonOf(restored.Events), Is.EqualTo(JsonOf(historyBefore)), "the history came back from SQLite unchanged");
        Assert.That((await second.Client.GetDurableExecutionAsync(arn)).Status, Is.EqualTo(ExecutionStatus.Running));

        await second.Client.SendCallbackSuccessAsync(callbackId, "\"approved\"");
        await second.Service.WaitForIdleAsync(arn);

        var done = await second.Client.GetDurableExecutionAsync(arn);
        Assert.That(done.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(done.Result, Is.EqualTo("\"approved\""));
        Assert.That(handler.SideEffects + handler2.SideEffects, Is.EqualTo(1), "the step before the callback ran once across both processes");
        var history = (await second.Client.GetDurableExecutionHistoryAsync(arn)).Events;
        Assert.That(history.Count(e => e.EventType == HistoryEventType.StepStarted), Is.EqualTo(1));
        Assert.That(history.Count(e => e.EventType == HistoryEventType.CallbackStarted), Is.EqualTo(1));
        Assert.That(history.Select(e => e.EventId), Is.EqualTo(Enumerable.Range(1, history.Count)));
    }

    [Test]
    public async Task A_workflow_suspended_on_a_long_wait_survives_a_restart_and_its_timer_fires_after_it()
    {
        var firstRuns = 0;
        var secondRuns = 0;
        var workflow = Workflow.For<string>()
            .Then("first", (s, _) => { Interlocked.Increment(ref firstRuns); return s + "-a"; })
            .Wait("long_wait", TimeSpan.FromDays(2))
            .Then("second", (s, _) => { Interlocked.Increment(ref secondRuns); return s + "-b"; })
            .Build();
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        string arn;
        await using (var first = NewHarness(Db, new FakeTimeProvider(start), s => s.Register("fn", workflow)))
        {
            arn = first.Service.StartExecution("fn", "\"w\"", "long-wait");
            await first.Service.WaitForIdleAsync(arn);
            Assert.That(first.Service.Engine.NextTimerDue(arn), Is.EqualTo(start.AddDays(2)));
        }

        // The new process starts after the wait's due time: the stored timer fires at once.
        var clock = new FakeTimeProvider(start.AddDays(3));
        await using var second = NewHarness(Db, clock, s => s.Register("fn", workflow));
        var done = await second.DriveAsync(arn);

        Assert.That(done.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(done.Result, Is.EqualTo("\"w-a-b\""));
        Assert.That((firstRuns, secondRuns), Is.EqualTo((1, 1)));
    }

    [Test]
    public async Task Executions_started_before_a_restart_are_listed_after_it()
    {
        var handler = new CallbackHandler();
        await using (var first = NewHarness(Db, register: s => s.Register("cb", handler.HandleAsync)))
        {
            await first.Service.WaitForIdleAsync(first.Service.StartExecution("cb", null, "one"));
            await first.Service.WaitForIdleAsync(first.Service.StartExecution("cb", null, "two"));
        }

        await using var second = NewHarness(Db, register: s => s.Register("cb", new CallbackHandler().HandleAsync));
        var list = await second.Client.ListDurableExecutionsByFunctionAsync("cb");
        Assert.That(list.DurableExecutions.Select(e => e.DurableExecutionName), Is.EqualTo(new[] { "one", "two" }));
        var third = second.Service.StartExecution("cb", null);
        Assert.That(third, Is.Not.AnyOf(list.DurableExecutions.Select(e => e.DurableExecutionArn).ToArray()));
    }

    [Test]
    public async Task An_invocation_cut_off_by_shutdown_is_recorded_as_crashed_and_retried_after_restart()
    {
        var gate = new TaskCompletionSource();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var workflow = Workflow.For<string>()
            .Then("slow", async (s, _, ct) =>
            {
                if (Interlocked.Increment(ref runs) == 1)
                {
                    entered.SetResult();
                    await gate.Task.WaitAsync(ct);
                }

                return s;
            })
            .Build();
        string arn;
        await using (var first = NewHarness(Db, register: s => s.Register("fn", workflow)))
        {
            arn = first.Service.StartExecution("fn", "\"z\"");
            await entered.Task;
        }

        await using var second = NewHarness(Db, register: s => s.Register("fn", workflow));
        var done = await second.DriveAsync(arn);
        Assert.That(done.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        var history = (await second.Client.GetDurableExecutionHistoryAsync(arn)).Events;
        var invocations = history.Where(e => e.EventType == HistoryEventType.InvocationCompleted).ToList();
        Assert.That(invocations, Has.Count.EqualTo(2));
        Assert.That(invocations[0].Details.Error!.Payload.ErrorType, Is.EqualTo("Runtime.ExitError"));
    }

    [TestCase(5, "SUCCEEDED")]
    [TestCase(2, "STOPPED")]
    public async Task A_failed_invocation_waiting_for_its_retry_is_retried_after_a_restart_and_its_failures_still_count(int maxFailures, string expected)
    {
        // The first process records the failed invocation and would retry it after InvocationRetryDelay (5 s); it stops
        // first. The second one retries it once the delay has passed — and counts it as the second failure in a row.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string arn;
        await using (var first = Harness(clock, maxFailures, (_, _, _) =>
        {
            failed.TrySetResult();
            throw new InvalidOperationException("the function crashed");
        }))
        {
            arn = first.Service.StartExecution("flaky", "1");
            await failed.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await first.Service.WaitForIdleAsync(arn).WaitAsync(TimeSpan.FromSeconds(60));
            var history = await first.Client.GetDurableExecutionHistoryAsync(arn);
            Assert.That(history.Events.Single(e => e.EventType == HistoryEventType.InvocationCompleted).Details.Error, Is.Not.Null, "the failure is on record");
        }

        clock.Advance(TimeSpan.FromSeconds(5));
        var invoked = 0;
        await using var second = Harness(clock, maxFailures, (_, _, _) =>
        {
            if (Interlocked.Increment(ref invoked) == 1 && maxFailures == 2)
            {
                throw new InvalidOperationException("the function crashed again");
            }

            return Task.FromResult(new DurableExecutionInvocationOutput { Status = InvocationStatus.Succeeded, Result = "2" });
        });
        var done = await second.DriveAsync(arn);
        Assert.That(UpperSnakeEnumConverter<ExecutionStatus>.ToToken(done.Status), Is.EqualTo(expected), "the restarted service retried the failed invocation");
        Assert.That(invoked, Is.EqualTo(1));
        if (expected == "STOPPED")
        {
            Assert.That(done.Error!.ErrorMessage, Does.StartWith("2 consecutive invocations failed"), "the failure before the restart still counts");
        }
    }

    [Test]
    public async Task An_invocation_recorded_as_cut_off_by_one_restart_is_retried_by_the_next_even_if_none_ran_in_between()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocking = Workflow.For<string>()
            .Then("slow", async (s, _, ct) =>
            {
                entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return s;
            })
            .Build();
        string arn;
        await using (var first = NewHarness(Db, register: s => s.Register("fn", blocking)))
        {
            arn = first.Service.StartExecution("fn", "\"z\"");
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }

        // A process without the function: it records the cut-off invocation as crashed, and cannot retry it.
        await using (var second = NewHarness(Db))
        {
            var history = (await second.Client.GetDurableExecutionHistoryAsync(arn)).Events;
            Assert.That(history.Last(e => e.EventType == HistoryEventType.InvocationCompleted).Details.Error!.Payload.ErrorType, Is.EqualTo("Runtime.ExitError"));
        }

        var quick = Workflow.For<string>().Then("slow", (s, _) => s + "!").Build();
        await using var third = NewHarness(Db, register: s => s.Register("fn", quick));
        var done = await third.DriveAsync(arn);
        Assert.That(done.Status, Is.EqualTo(ExecutionStatus.Succeeded), "the retry the second process could not make happens now");
        Assert.That(done.Result, Is.EqualTo("\"z!\""));
    }

    private ServiceHarness Harness(FakeTimeProvider clock, int maxFailures, LocalDurableHandler handler)
        => new(Db, clock, s => s.Register("flaky", handler), InvokeOverHttp, configure: o => o with { MaxConsecutiveInvocationFailures = maxFailures, InvocationRetryDelay = TimeSpan.FromSeconds(5) });

    [Test]
    public async Task A_workflow_suspended_on_its_callback_node_survives_a_restart_and_completes_once()
    {
        var before = 0;
        var workflow = Workflow.For<string>()
            .Then("before", (s, _) => { Interlocked.Increment(ref before); return s; })
            .WaitForCallback<string>("approval", (value, callbackId, ct) => Task.CompletedTask)
            .Build();
        string arn;
        string callbackId;
        await using (var first = NewHarness(Db, register: s => s.Register("fn", workflow)))
        {
            arn = first.Service.StartExecution("fn", "\"x\"");
            await first.Service.WaitForIdleAsync(arn);
            callbackId = (await first.Client.GetDurableExecutionHistoryAsync(arn)).Events.Single(e => e.EventType == HistoryEventType.CallbackStarted).Details.CallbackId!;
        }

        await using var second = NewHarness(Db, register: s => s.Register("fn", workflow));
        await second.Client.SendCallbackSuccessAsync(callbackId, "\"ok\"");
        await second.Service.WaitForIdleAsync(arn);
        var done = await second.Client.GetDurableExecutionAsync(arn);
        Assert.That((done.Status, done.Result, before), Is.EqualTo((ExecutionStatus.Succeeded, "\"ok\"", 1)));
    }

    private static string JsonOf(IReadOnlyList<HistoryEvent> events) => System.Text.Json.JsonSerializer.Serialize(events, WireJson.Rest);
}
