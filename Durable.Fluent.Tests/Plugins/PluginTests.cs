using Durable.Fluent.Plugins;
using Durable.Fluent.Retries;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Plugins;

public class PluginTests
{
    private sealed class Recorder : DurablePlugin
    {
        public List<string> Events { get; } = new();

        public override void OnInvocationStart(InvocationStartInfo info) => Events.Add($"invocation-start first={info.IsFirstInvocation} updated={info.UpdatedOperations.Count}");

        public override void OnInvocationEnd(InvocationEndInfo info) => Events.Add($"invocation-end {info.Status} terminal={info.IsTerminal}");

        public override void OnOperationStart(OperationInfo info) => Events.Add($"start {info.Type} {info.Name} replay={info.IsReplay}");

        public override void OnOperationEnd(OperationInfo info) => Events.Add($"end {info.Type} {info.Name} {info.Status}");

        public override void OnAttemptStart(AttemptInfo info) => Events.Add($"attempt-start {info.Name} {info.Attempt}");

        public override void OnAttemptEnd(AttemptInfo info) => Events.Add($"attempt-end {info.Name} {info.Attempt} {info.Outcome}");
    }

    private sealed class Throwing : DurablePlugin
    {
        public int Calls { get; private set; }

        public override void OnInvocationStart(InvocationStartInfo info) => throw new InvalidOperationException($"call {++Calls}");

        public override void OnOperationStart(OperationInfo info) => throw new InvalidOperationException($"call {++Calls}");

        public override void OnOperationEnd(OperationInfo info) => throw new InvalidOperationException($"call {++Calls}");
    }

    [Test]
    public async Task Hooks_report_live_operations_attempts_and_service_completions_in_order()
    {
        var recorder = new Recorder();
        var wf = Workflow.For<int>()
            .Then("flaky", (x, ctx) => ctx.Attempt == 1 ? throw new TimeoutException() : x, s => s.Retry(RetryPresets.Fixed(TimeSpan.FromSeconds(1))))
            .Wait("pause", TimeSpan.FromSeconds(5))
            .Build(new WorkflowOptions { Plugins = [recorder] });
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 7);

        Assert.That(execution.Result, Is.EqualTo(7));
        Assert.That(recorder.Events, Is.EqualTo(new[]
        {
            "invocation-start first=True updated=0",
            "start Step flaky replay=False",
            "attempt-start flaky 1",
            "attempt-end flaky 1 Failed",
            "invocation-end Pending terminal=False",
            "invocation-start first=False updated=1",
            "start Step flaky replay=True",
            "attempt-start flaky 2",
            "attempt-end flaky 2 Succeeded",
            // The step's SUCCEED rides with the wait's START (one request): the service completes the step in that request,
            // after the wait has started on this side.
            "start Wait pause replay=False",
            "end Step flaky Succeeded",
            "invocation-end Pending terminal=False",
            "invocation-start first=False updated=1",
            "end Wait pause Succeeded",
            "invocation-end Succeeded terminal=True",
        }));
    }

    [Test]
    public async Task A_throwing_plugin_changes_nothing_and_other_plugins_still_run()
    {
        var wf = Workflow.For<int>().Then("double", (x, _) => x * 2).Build();
        var throwing = new Throwing();
        var recorder = new Recorder();
        using var plain = new DurableTestRunner();
        using var instrumented = new DurableTestRunner(new DurableTestRunnerOptions { Plugins = [throwing, recorder] });

        var expected = await plain.RunAsync(wf, 21);
        var actual = await instrumented.RunAsync(wf, 21);

        Assert.That(actual.Result, Is.EqualTo(expected.Result));
        Assert.That(actual.History.Select(e => e.EventType), Is.EqualTo(expected.History.Select(e => e.EventType)));
        Assert.That(throwing.Calls, Is.EqualTo(3));
        Assert.That(recorder.Events, Has.Some.StartsWith("end Step double"));
        Assert.That(instrumented.Logs.Lines.Count(l => l.Message.Contains("threw from", StringComparison.Ordinal)), Is.EqualTo(3));
    }

    private sealed class Records : DurablePlugin
    {
        public List<OperationInfo> Starts { get; } = new();

        public List<OperationInfo> Ends { get; } = new();

        public List<AttemptInfo> AttemptStarts { get; } = new();

        public List<AttemptInfo> AttemptEnds { get; } = new();

        public override void OnOperationStart(OperationInfo info) => Starts.Add(info);

        public override void OnOperationEnd(OperationInfo info) => Ends.Add(info);

        public override void OnAttemptStart(AttemptInfo info) => AttemptStarts.Add(info);

        public override void OnAttemptEnd(AttemptInfo info) => AttemptEnds.Add(info);
    }

    [Test]
    public async Task Attempt_and_operation_records_carry_clock_timestamps_and_the_replay_flag()
    {
        var records = new Records();
        var wf = Workflow.For<int>()
            .Then("flaky", (x, ctx) => ctx.Attempt == 1 ? throw new TimeoutException() : x, s => s.Retry(RetryPresets.Fixed(TimeSpan.FromSeconds(30))))
            .Parallel("fan", p => p.Branch("a", b => b.Then("inner", (x, _) => x + 1)).Branch("b", b => b.Wait("nap", TimeSpan.FromSeconds(5)).Select(x => x + 2)))
            .Select(r => r.Values.Item1 + r.Values.Item2)
            .Build(new WorkflowOptions { Plugins = [records] });
        using var runner = new DurableTestRunner();
        var started = runner.Clock.GetUtcNow();
        var execution = await runner.RunAsync(wf, 1);
        Assert.That(execution.Result, Is.EqualTo(5));

        var flaky = records.AttemptStarts.Where(a => a.Name == "flaky").ToList();
        Assert.That(flaky.Select(a => (a.Attempt, a.IsReplay)), Is.EqualTo(new[] { (1, false), (2, true) }), "attempt 2 continues an operation an earlier invocation recorded");
        Assert.That(flaky[0].StartTimestamp, Is.EqualTo(started), "the runner's virtual clock");
        Assert.That(flaky[1].StartTimestamp - flaky[0].StartTimestamp, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(30)), "the retry delay passed on the virtual clock");
        Assert.That(records.AttemptStarts.Select(a => a.EndTimestamp), Has.All.Null);
        Assert.That(records.AttemptStarts.Select(a => a.Outcome), Has.All.Null);

        var ends = records.AttemptEnds.Where(a => a.Name == "flaky").ToList();
        Assert.That(ends.Select(a => a.Outcome), Is.EqualTo(new OperationStatus?[] { OperationStatus.Failed, OperationStatus.Succeeded }));
        Assert.That(ends.Select(a => a.StartTimestamp), Is.EqualTo(flaky.Select(a => a.StartTimestamp)), "the end record is the start record completed");
        Assert.That(ends.Select(a => a.EndTimestamp), Has.All.Not.Null);
        Assert.That(ends.All(a => a.EndTimestamp >= a.StartTimestamp), Is.True);
        Assert.That(ends[0].Error?.ErrorType, Is.EqualTo(typeof(TimeoutException).FullName));

        // Branch "b" suspends on its wait, so its context function runs again in the next invocation: a replayed re-run.
        var branchB = records.AttemptStarts.Where(a => a.Name == "b").ToList();
        Assert.That(branchB.Select(a => (a.IsReplay, a.IsReplayingChildren)), Is.EqualTo(new[] { (false, false), (true, true) }));

        var liveStarts = records.Starts.Where(s => !s.IsReplay).ToList();
        Assert.That(liveStarts.Select(s => s.StartTimestamp), Has.All.Not.Null, "a live start is stamped from the run's clock");
        Assert.That(liveStarts.Select(s => s.Status), Has.All.Null, "nothing is checkpointed yet on a live start");
        Assert.That(records.Ends.Select(e => e.EndTimestamp), Has.All.Not.Null);
        Assert.That(records.Ends.Select(e => e.Status), Has.All.Not.Null);
        var nap = records.Ends.Single(e => e.Name == "nap");
        Assert.That(nap.IsReplay, Is.True, "the service finished the wait between invocations");
        Assert.That(records.Ends.Single(e => e.Name == "inner").IsReplay, Is.False, "this invocation's own checkpoint ended it");
    }
}
