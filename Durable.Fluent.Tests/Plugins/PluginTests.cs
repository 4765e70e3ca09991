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
}
