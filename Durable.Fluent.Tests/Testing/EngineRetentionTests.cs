using Durable.Fluent.Checkpointing;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.Testing;

/// <summary>
/// Issue 13, item 4: the engine's retention period (RetentionPeriodInDays, 1–90) on a fake clock, without a store: an ended
/// execution is purged that many days after it ended (404 afterwards, as on AWS), running ones never are, and the engine
/// keeps nothing of a purged execution. Plus the per-execution locking: concurrent calls keep names unique and state whole.
/// </summary>
public class EngineRetentionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public void An_ended_execution_is_kept_for_its_retention_period_then_answers_404()
    {
        var clock = new FakeTimeProvider(T0);
        var engine = new LocalDurableEngine(clock, new LocalEngineOptions { RetentionPeriodInDays = 3 });
        var arn = EngineDriver.RunToEnd(engine, "kept");
        clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromSeconds(1));

        Assert.That(engine.GetExecution(arn).Status, Is.EqualTo(ExecutionStatus.Succeeded), "one second before the end of its retention");
        Assert.That(engine.GetHistory(arn), Is.Not.Empty);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Multiple(() =>
        {
            Assert.That(NotFound(() => engine.GetExecution(arn)), Is.EqualTo(404));
            Assert.That(NotFound(() => engine.GetHistory(arn)), Is.EqualTo(404));
            Assert.That(NotFound(() => engine.GetOperations(arn)), Is.EqualTo(404));
            Assert.That(engine.ListExecutions(), Is.Empty);
        });
    }

    [Test]
    public void The_sweep_drops_purged_executions_from_memory_and_keeps_the_running_ones()
    {
        var clock = new FakeTimeProvider(T0);
        var engine = new LocalDurableEngine(clock, new LocalEngineOptions { RetentionPeriodInDays = 1 });
        var ended = Enumerable.Range(0, 5).Select(i => EngineDriver.RunToEnd(engine, $"ended-{i}")).ToList();
        var running = engine.StartExecution(new StartExecutionRequest { ExecutionName = "running" });
        Assert.That(engine.LoadedExecutions, Is.EqualTo(6));

        clock.Advance(TimeSpan.FromHours(23));
        Assert.That(engine.PurgeExpired(), Is.Zero, "not yet");
        clock.Advance(TimeSpan.FromHours(1));

        Assert.That(engine.PurgeExpired(), Is.EqualTo(5));
        Assert.That(engine.LoadedExecutions, Is.EqualTo(1));
        Assert.That(engine.GetExecution(running).Status, Is.EqualTo(ExecutionStatus.Running));
        Assert.That(engine.ListExecutions().Select(e => e.DurableExecutionArn), Is.EqualTo(new[] { running }));
        Assert.That(NotFound(() => engine.GetExecution(ended[0])), Is.EqualTo(404));
        clock.Advance(TimeSpan.FromDays(365));
        Assert.That(engine.PurgeExpired(), Is.Zero, "a running execution is never purged: retention counts from the end");
    }

    [Test]
    public void Retention_counts_from_the_end_and_the_start_request_overrides_the_default()
    {
        var clock = new FakeTimeProvider(T0);
        var engine = new LocalDurableEngine(clock, new LocalEngineOptions { RetentionPeriodInDays = 14 });
        var arn = engine.StartExecution(new StartExecutionRequest { ExecutionName = "long-runner", RetentionPeriodInDays = 2 });
        var fallback = EngineDriver.RunToEnd(engine, "default");
        clock.Advance(TimeSpan.FromDays(10));
        EngineDriver.Finish(engine, arn);

        clock.Advance(TimeSpan.FromDays(2) - TimeSpan.FromTicks(1));
        Assert.That(engine.GetExecution(arn).Status, Is.EqualTo(ExecutionStatus.Succeeded), "ended 2 days minus a tick ago");
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.That(NotFound(() => engine.GetExecution(arn)), Is.EqualTo(404));
        Assert.That(engine.GetExecution(fallback).Status, Is.EqualTo(ExecutionStatus.Succeeded), "12 days of its 14");
        clock.Advance(TimeSpan.FromDays(2));
        Assert.That(NotFound(() => engine.GetExecution(fallback)), Is.EqualTo(404));
    }

    [TestCase(0)]
    [TestCase(91)]
    [TestCase(-1)]
    public void A_retention_period_outside_1_to_90_days_is_refused(int days)
    {
        var engine = new LocalDurableEngine(new FakeTimeProvider(T0));
        var ex = Assert.Throws<LocalEngineException>(() => engine.StartExecution(new StartExecutionRequest { ExecutionName = "x", RetentionPeriodInDays = days }));
        Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((400, "InvalidParameterValueException")));
        Assert.That(ex.Message, Does.Contain("RetentionPeriodInDays").And.Contain("90"));
        Assert.That(engine.ListExecutions(), Is.Empty, "nothing was created");
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LocalDurableEngine(new FakeTimeProvider(T0), new LocalEngineOptions { RetentionPeriodInDays = days }));
    }

    [Test]
    public void Without_a_retention_period_ended_executions_are_kept()
    {
        var clock = new FakeTimeProvider(T0);
        var engine = new LocalDurableEngine(clock);
        var arn = EngineDriver.RunToEnd(engine, "forever");
        clock.Advance(TimeSpan.FromDays(1000));
        Assert.That(engine.PurgeExpired(), Is.Zero);
        Assert.That(engine.GetExecution(arn).Status, Is.EqualTo(ExecutionStatus.Succeeded));
    }

    [Test]
    public void A_purged_execution_frees_its_name_and_its_callback_ids()
    {
        var clock = new FakeTimeProvider(T0);
        var engine = new LocalDurableEngine(clock, new LocalEngineOptions { RetentionPeriodInDays = 1 });
        var arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "order-1" });
        var token = engine.BeginInvocation(arn).CheckpointToken!;
        engine.Checkpoint(arn, token, [EngineDriver.CallbackStart("cb")]);
        var callbackId = engine.FindCallbackId(arn, "cb")!;
        engine.StopExecution(arn, null);
        var closed = Assert.Throws<LocalEngineException>(() => engine.SendCallbackSuccess(callbackId, "{}"));
        Assert.That(closed!.ErrorCode, Is.EqualTo("CallbackTimeoutException"), "ended but kept: the callback is closed");
        var duplicate = Assert.Throws<LocalEngineException>(() => engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "order-1" }));
        Assert.That(duplicate!.StatusCode, Is.EqualTo(409));

        clock.Advance(TimeSpan.FromDays(1));
        Assert.That(engine.PurgeExpired(), Is.EqualTo(1));

        var unknown = Assert.Throws<LocalEngineException>(() => engine.SendCallbackSuccess(callbackId, "{}"));
        Assert.That((unknown!.StatusCode, unknown.ErrorCode), Is.EqualTo((404, "ResourceNotFoundException")));
        var again = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "order-1" });
        Assert.That(again, Is.Not.EqualTo(arn));
        Assert.That(engine.GetExecution(again).Status, Is.EqualTo(ExecutionStatus.Running));
    }

    [Test]
    public void A_name_held_by_an_execution_past_its_retention_is_free_even_before_the_sweep()
    {
        var clock = new FakeTimeProvider(T0);
        var engine = new LocalDurableEngine(clock, new LocalEngineOptions { RetentionPeriodInDays = 1 });
        EngineDriver.RunToEnd(engine, "reused");
        clock.Advance(TimeSpan.FromDays(2));

        var arn = engine.StartExecution(new StartExecutionRequest { ExecutionName = "reused" });

        Assert.That(engine.ListExecutions().Select(e => e.DurableExecutionArn), Is.EqualTo(new[] { arn }));
    }

    [Test]
    public void Concurrent_starts_of_one_name_create_exactly_one_execution()
    {
        var engine = new LocalDurableEngine(new FakeTimeProvider(T0));
        var outcomes = Parallel16(_ =>
        {
            try
            {
                return engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "same" });
            }
            catch (LocalEngineException ex) when (ex.StatusCode == 409)
            {
                return "409";
            }
        });

        Assert.That(outcomes.Count(o => o != "409"), Is.EqualTo(1));
        Assert.That(engine.ListExecutions(), Has.Count.EqualTo(1));
    }

    [Test]
    public void Executions_driven_on_many_threads_each_keep_a_whole_history()
    {
        var engine = new LocalDurableEngine(new FakeTimeProvider(T0));
        var arns = Parallel16(i => EngineDriver.RunToEnd(engine, $"parallel-{i}"));

        Assert.That(arns.Distinct().Count(), Is.EqualTo(64));
        foreach (var arn in arns)
        {
            Assert.That(engine.GetHistory(arn).Select(e => e.EventType), Is.EqualTo(EngineDriver.RunToEndHistory));
            Assert.That(engine.GetHistory(arn).Select(e => e.EventId), Is.EqualTo(Enumerable.Range(1, EngineDriver.RunToEndHistory.Length)));
        }
    }

    /// <summary>Runs <paramref name="work"/> 64 times on 16 threads started together.</summary>
    private static List<string> Parallel16(Func<int, string> work)
    {
        var results = new string[64];
        using var go = new ManualResetEventSlim();
        var next = -1;
        var threads = Enumerable.Range(0, 16).Select(_ => new Thread(() =>
        {
            go.Wait();
            int i;
            while ((i = Interlocked.Increment(ref next)) < results.Length)
            {
                results[i] = work(i);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        go.Set();
        threads.ForEach(t => t.Join());
        return results.ToList();
    }

    private static int NotFound(TestDelegate call)
    {
        var ex = Assert.Throws<LocalEngineException>(call);
        Assert.That(ex!.ErrorCode, Is.EqualTo("ResourceNotFoundException"));
        return ex.StatusCode;
    }
}

/// <summary>Drives the engine directly, as a handler invocation would: the calls a three-step-like run makes.</summary>
internal static class EngineDriver
{
    public static readonly HistoryEventType[] RunToEndHistory =
    [
        HistoryEventType.ExecutionStarted, HistoryEventType.StepStarted, HistoryEventType.StepSucceeded,
        HistoryEventType.InvocationCompleted, HistoryEventType.ExecutionSucceeded,
    ];

    /// <summary>Starts an execution and runs one invocation that checkpoints a step and succeeds.</summary>
    public static string RunToEnd(LocalDurableEngine engine, string name, string functionName = "fn", int? retentionDays = null)
    {
        var arn = engine.StartExecution(new StartExecutionRequest { FunctionName = functionName, ExecutionName = name, InputPayload = "1", RetentionPeriodInDays = retentionDays });
        Finish(engine, arn);
        return arn;
    }

    /// <summary>One invocation: a step, then SUCCEEDED.</summary>
    public static void Finish(LocalDurableEngine engine, string arn)
    {
        var token = engine.BeginInvocation(arn).CheckpointToken!;
        engine.Checkpoint(arn, token, [
            new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "add", Action = OperationAction.Start },
            new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "add", Action = OperationAction.Succeed, Payload = "2" },
        ]);
        engine.EndInvocation(arn, InvocationOutcome.Returned(new DurableExecutionInvocationOutput { Status = InvocationStatus.Succeeded, Result = "2" }), "req-" + arn.GetHashCode(StringComparison.Ordinal));
    }

    public static OperationUpdate CallbackStart(string name)
        => new() { Id = "c-" + name, Type = OperationType.Callback, SubType = "Callback", Name = name, Action = OperationAction.Start };
}
