using Durable.Fluent.Retries;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using Polly;
using Polly.Retry;

namespace Durable.Fluent.Tests.Interpretation;

public class RetryCycleTests
{
    [Test]
    public async Task Four_attempt_exhaustion_records_three_retries_then_a_fail_with_exact_details()
    {
        var bodyRuns = 0;
        var wf = Workflow.For<int>()
            .Then("always_fail", int (_, ctx) =>
            {
                bodyRuns++;
                throw new InvalidOperationException($"attempt {ctx.Attempt}");
            }, s => s.Retry(RetryPresets.Fixed(TimeSpan.FromSeconds(1)) with { MaxAttempts = 4 }))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        var stepEvents = execution.History.Where(e => e.EventType is HistoryEventType.StepStarted or HistoryEventType.StepFailed).ToList();
        Assert.That(stepEvents.Select(e => e.EventType), Is.EqualTo(Enumerable.Repeat(new[] { HistoryEventType.StepStarted, HistoryEventType.StepFailed }, 4).SelectMany(x => x)));
        var failures = stepEvents.Where(e => e.EventType == HistoryEventType.StepFailed).Select(e => e.Details).ToList();
        Assert.That(failures.Select(d => d.RetryDetails), Is.EqualTo(new[] { new RetryDetails(1, 1), new RetryDetails(2, 1), new RetryDetails(3, 1), new RetryDetails(4) }));
        Assert.That(failures.Select(d => d.Error!.Payload.ErrorMessage), Is.EqualTo(new[] { "attempt 1", "attempt 2", "attempt 3", "attempt 4" }));
        Assert.That(failures.Select(d => d.Error!.Payload.ErrorType).Distinct(), Is.EqualTo(new[] { "System.InvalidOperationException" }));
        Assert.That(bodyRuns, Is.EqualTo(4));
        Assert.That(execution.Invocations, Is.EqualTo(4));
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Is.EqualTo("attempt 4"));
        Assert.That(runner.Engine.NextTimerDue(execution.DurableExecutionArn), Is.Null, "exhaustion leaves no further timer");
    }

    [Test]
    public async Task The_attempt_number_is_visible_to_step_code_and_the_recorded_delay_is_honoured()
    {
        var attempts = new List<int>();
        var wf = Workflow.For<int>()
            .Then("flaky", (_, ctx) =>
            {
                attempts.Add(ctx.Attempt);
                return ctx.Attempt < 3 ? throw new TimeoutException("slow") : ctx.Attempt;
            }, s => s.Retry(new RetryStrategyConfig { MaxAttempts = 5, InitialDelay = TimeSpan.FromSeconds(2), BackoffRate = 3, Jitter = JitterStrategy.None }))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);
        Assert.That(execution.Result, Is.EqualTo(3));
        Assert.That(attempts, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(execution.History.Where(e => e.EventType == HistoryEventType.StepFailed).Select(e => e.Details.RetryDetails!.NextAttemptDelaySeconds), Is.EqualTo(new int?[] { 2, 6 }));
        Assert.That(runner.Clock.GetUtcNow() - execution.Snapshot.StartTimestamp, Is.EqualTo(TimeSpan.FromSeconds(8)));
    }

    [Test]
    public async Task An_interrupted_at_most_once_step_is_not_rerun_blindly_but_goes_through_the_retry_strategy()
    {
        var bodyRuns = 0;
        var wf = Workflow.For<int>()
            .Then("charge_card", (x, ctx) =>
            {
                bodyRuns++;
                return ctx.Attempt == 1 ? throw new SimulatedCrashException() : x * 10;
            }, s => s.AtMostOncePerRetry().Retry(RetryPresets.Fixed(TimeSpan.FromSeconds(3))))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 4);

        Assert.That(execution.Result, Is.EqualTo(40));
        Assert.That(bodyRuns, Is.EqualTo(2), "the interrupted attempt was not re-run on the invocation after the crash");
        var events = execution.History.Select(e => e.EventType).ToList();
        Assert.That(events, Is.EqualTo(new[]
        {
            HistoryEventType.ExecutionStarted, HistoryEventType.StepStarted, HistoryEventType.InvocationCompleted,
            HistoryEventType.StepFailed, HistoryEventType.InvocationCompleted,
            HistoryEventType.StepStarted, HistoryEventType.StepSucceeded, HistoryEventType.InvocationCompleted, HistoryEventType.ExecutionSucceeded,
        }));
        Assert.That(execution.History[2].Details.Error!.Payload.ErrorType, Is.EqualTo("Runtime.ExitError"));
        Assert.That(execution.History[3].Details.Error!.Payload.ErrorType, Is.EqualTo(typeof(StepInterruptedException).FullName));
    }

    [Test]
    public async Task An_interrupted_at_least_once_step_runs_again_without_a_second_start()
    {
        var bodyRuns = 0;
        var wf = Workflow.For<int>()
            .Then("idempotent", (x, _) => ++bodyRuns == 1 ? throw new SimulatedCrashException() : x + 1)
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);
        Assert.That(execution.Result, Is.EqualTo(2));
        Assert.That(bodyRuns, Is.EqualTo(2));
        Assert.That(execution.History.Count(e => e.EventType == HistoryEventType.StepStarted), Is.EqualTo(1));
    }

    [Test]
    public async Task Crash_injection_from_runner_options_fails_the_execution_after_repeated_crashes()
    {
        var wf = Workflow.For<int>().Then("never_finishes", (x, _) => x).Build();
        using var runner = new DurableTestRunner(new DurableTestRunnerOptions { CrashBeforeStep = _ => true, MaxConsecutiveInvocationFailures = 3 });
        var execution = await runner.RunAsync(wf, 1);
        Assert.That(execution.Invocations, Is.EqualTo(3));
        Assert.That(execution.Status, Is.Not.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.History.Where(e => e.EventType == HistoryEventType.InvocationCompleted).All(e => e.Details.Error?.Payload.ErrorType == "Runtime.ExitError"), Is.True);
    }

    [Test]
    public async Task A_polly_retry_strategy_yields_the_durable_retry_cycle()
    {
        var polly = new RetryStrategyOptions<object>
        {
            MaxRetryAttempts = 2,
            Delay = TimeSpan.FromSeconds(4),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            ShouldHandle = new PredicateBuilder<object>().Handle<TimeoutException>(),
        };
        var wf = Workflow.For<int>()
            .Then("call_api", int (_, ctx) => throw new TimeoutException($"attempt {ctx.Attempt}"), s => s.Retry(polly))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        var failed = execution.History.Where(e => e.EventType == HistoryEventType.StepFailed).Select(e => e.Details.RetryDetails).ToList();
        Assert.That(failed, Is.EqualTo(new[] { new RetryDetails(1, 4), new RetryDetails(2, 8), new RetryDetails(3) }));
        Assert.That(execution.Invocations, Is.EqualTo(3), "each retry suspended the invocation instead of sleeping");
    }

    [Test]
    public async Task A_polly_should_handle_predicate_that_rejects_the_error_fails_at_once()
    {
        var polly = new RetryStrategyOptions<object> { MaxRetryAttempts = 5, ShouldHandle = new PredicateBuilder<object>().Handle<TimeoutException>() };
        var wf = Workflow.For<int>()
            .Then("call_api", int (_, _) => throw new ArgumentException("bad request"), s => s.Retry(polly))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);
        Assert.That(execution.Invocations, Is.EqualTo(1));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo("System.ArgumentException"));
    }

    [Test]
    public async Task Steps_without_a_strategy_use_the_documented_default_of_six_attempts()
    {
        var wf = Workflow.For<int>().Then("fails", int (_, _) => throw new InvalidOperationException("x")).Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);
        Assert.That(execution.History.Count(e => e.EventType == HistoryEventType.StepStarted), Is.EqualTo(6));
        var delays = execution.History.Where(e => e.EventType == HistoryEventType.StepFailed).Select(e => e.Details.RetryDetails!.NextAttemptDelaySeconds).ToList();
        Assert.That(delays.Take(5).Zip(new[] { 5, 10, 20, 40, 60 }).All(p => p.First >= 1 && p.First <= p.Second), Is.True, string.Join(",", delays));
        Assert.That(delays.Last(), Is.Null);
    }
}

public class StepTimeoutTests
{
    [Test]
    public async Task A_step_past_its_soft_timeout_fails_the_attempt_and_the_retry_strategy_decides()
    {
        var wf = Workflow.For<int>()
            .Then("slow_call", async (x, ctx, ct) =>
            {
                if (ctx.Attempt == 1)
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct); // ends only when the token is cancelled
                }

                return x + 1;
            }, s => s.Timeout(TimeSpan.FromMilliseconds(50)).Retry(RetryPresets.Fixed(TimeSpan.FromSeconds(1))))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);

        Assert.That(execution.Result, Is.EqualTo(2));
        var failed = execution.History.Single(e => e.EventType == HistoryEventType.StepFailed);
        Assert.That(failed.Details.Error!.Payload.ErrorType, Is.EqualTo(typeof(StepTimedOutException).FullName));
        Assert.That(failed.Details.RetryDetails!.NextAttemptDelaySeconds, Is.EqualTo(1));
    }

    [Test]
    public void A_non_positive_step_timeout_is_rejected_when_declared()
    {
#pragma warning disable DF0005 // the configurator rule under test
        Assert.Throws<WorkflowDefinitionException>(() => Workflow.For<int>().Then("x", (v, _) => v, s => s.Timeout(TimeSpan.Zero)));
#pragma warning restore DF0005
    }
}
