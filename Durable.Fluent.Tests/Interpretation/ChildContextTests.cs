using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Tests.Interpretation;

public class ChildContextTests
{
    [Test]
    public async Task A_child_result_over_256_KiB_is_checkpointed_with_replay_children_and_rebuilt_from_its_children()
    {
        var bodyRuns = 0;
        var stepRuns = 0;
        var wf = Workflow.For<int>()
            .Child("big_child", c => c
#pragma warning disable DF0001 // the test counts how often orchestration code runs
                .Do((_, ctx) => bodyRuns++)
#pragma warning restore DF0001
                .Then("make_part_a", (_, _) => { stepRuns++; return new string('a', 100_000); })
                .Then("make_part_b", (a, _) => { stepRuns++; return new string('b', 150_000); })
                .Select(b => b + b))
            .Wait("pause", TimeSpan.FromSeconds(1))
            .Select(s => s.Length)
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        var child = execution.GetOperation("big_child");
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), $"{execution.Error?.ErrorType}: {execution.Error?.ErrorMessage}");
        Assert.That(execution.Result, Is.EqualTo(300_000));
        Assert.That(child.ContextDetails!.ReplayChildren, Is.True);
        Assert.That(child.ContextDetails.Result, Is.Empty);
        Assert.That(stepRuns, Is.EqualTo(2), "the children replayed from their checkpoints");
        Assert.That(execution.GetOperation("make_part_b").ParentId, Is.EqualTo(child.Id));
        Assert.That(bodyRuns, Is.EqualTo(2), "the body re-ran on the replay to rebuild the result");
        Assert.That(execution.History.Count(e => e.EventType == HistoryEventType.ContextSucceeded), Is.EqualTo(1), "no second terminal checkpoint");
    }

    [Test]
    public async Task A_crash_inside_a_child_replays_the_child_and_reruns_the_interrupted_at_least_once_step_without_a_new_start()
    {
        var attempts = 0;
        var wf = Workflow.For<string>()
            .Child("child", c => c
                .Then("before", (s, _) => s + ">")
                .Then("flaky", (s, _) => ++attempts == 1 ? throw new SimulatedCrashException() : s + "done"))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo("x>done"));
        Assert.That(execution.History.Select(e => e.EventType), Is.EqualTo(new[]
        {
            HistoryEventType.ExecutionStarted, HistoryEventType.ContextStarted, HistoryEventType.StepStarted, HistoryEventType.StepSucceeded,
            HistoryEventType.StepStarted, HistoryEventType.InvocationCompleted, HistoryEventType.StepSucceeded, HistoryEventType.ContextSucceeded,
            HistoryEventType.InvocationCompleted, HistoryEventType.ExecutionSucceeded,
        }));
    }

    [Test]
    public async Task A_finished_child_is_not_run_again_and_its_logs_are_not_repeated()
    {
        var wf = Workflow.For<string>()
            .Child("logging_child", c => c.Do((s, ctx) => ctx.Logger.LogInformation("child ran for {Value}", s)).Then("echo", (s, _) => s))
            .Wait("w", TimeSpan.FromSeconds(3))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, "v");
        Assert.That(execution.Logs.Count(l => l.Message == "child ran for v"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_failed_step_is_not_retried_after_replay_but_rethrows_from_the_log()
    {
        var runs = 0;
        var wf = Workflow.For<int>()
            .Try(t => t.Then("fails", int (_, _) => { runs++; throw new InvalidOperationException("nope"); }, s => s.NoRetry()),
                 h => h.Catch<StepFailedException>((e, v) => -v))
            .Wait("w", TimeSpan.FromSeconds(1))
            .Then("after", (v, _) => v * 10)
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 3);
        Assert.That(execution.Result, Is.EqualTo(-30));
        Assert.That(runs, Is.EqualTo(1));
    }

    [Test]
    public async Task A_caught_failure_continues_in_the_same_invocation()
    {
        var wf = Workflow.For<int>()
            .Try(t => t.Then("fails", int (_, _) => throw new InvalidOperationException("nope"), s => s.NoRetry()),
                 h => h.Catch<StepFailedException>(r => r.Then("recover", (c, _) => c.Value + 1)))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);
        Assert.That(execution.Result, Is.EqualTo(2));
        Assert.That(execution.Invocations, Is.EqualTo(1));
        Assert.That(execution.History.Select(e => e.EventType).Take(5), Is.EqualTo(new[]
        {
            HistoryEventType.ExecutionStarted, HistoryEventType.StepStarted, HistoryEventType.StepFailed, HistoryEventType.StepStarted, HistoryEventType.StepSucceeded,
        }));
    }

    [Test]
    public async Task Errors_inside_a_child_propagate_with_their_original_type()
    {
        var wf = Workflow.For<int>()
            .Child("outer", o => o.Child("inner", i => i.Then("boom", int (_, _) => throw new KeyNotFoundException("missing"), s => s.NoRetry())))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);
        Assert.That(execution.Error!.ErrorType, Is.EqualTo("System.Collections.Generic.KeyNotFoundException"));
        Assert.That(execution.History.Where(e => e.EventType == HistoryEventType.ContextFailed).Select(e => e.Details.Error!.Payload.ErrorType).Distinct().Single(),
            Is.EqualTo("System.Collections.Generic.KeyNotFoundException"));
    }
}

public class SerializationDefaultsTests
{
    [Test]
    public async Task Value_tuples_round_trip_through_a_step_checkpoint()
    {
        var wf = Workflow.For<int>().Then("pair", (x, _) => (Count: x, Label: "n")).Wait("w", TimeSpan.FromSeconds(1)).Select(p => $"{p.Label}{p.Count}").Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 4);
        Assert.That(execution.Result, Is.EqualTo("n4"));
    }
}
