using Durable.Fluent.Testing;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Tests.Interpretation;

/// <summary>The replay-aware context logger in its three <see cref="ReplayLogMode"/>s.</summary>
public class ReplayLoggingTests
{
    /// <summary>
    /// Invocation 1 runs everything up to the wait. Invocation 2 replays: "top" and "before wait" are replayed code, the
    /// child "big" re-runs for real (its 300,000-character result was too large to checkpoint: ReplayChildren), and
    /// "after wait" is new code.
    /// </summary>
    private static Workflow<int, int> Workflow() => Fluent.Workflow.For<int>()
        .Do((_, ctx) => ctx.Logger.LogInformation("top"))
        .Child("big", c => c
            .Then("part", (_, _) => new string('a', 150_000))
            .Do((_, ctx) => ctx.Logger.LogInformation("rebuilding big"))
            .Select(a => a + a))
        .Do((_, ctx) => ctx.Logger.LogInformation("before wait"))
        .Wait("pause", TimeSpan.FromSeconds(1))
        .Do((_, ctx) => ctx.Logger.LogInformation("after wait"))
        .Select(s => s.Length)
        .Build();

    private static async Task<IReadOnlyList<CapturedLog>> RunAsync(ReplayLogMode mode)
    {
        using var runner = new DurableTestRunner(new DurableTestRunnerOptions { ReplayLogMode = mode });
        var execution = await runner.RunAsync(Workflow(), 0);
        Assert.That(execution.Result, Is.EqualTo(300_000));
        Assert.That(execution.Invocations, Is.EqualTo(2));
        Assert.That(execution.GetOperation("big").ContextDetails!.ReplayChildren, Is.True, "the child really re-runs on the replay");
        return execution.Logs.Where(l => l.Category == "Durable.Fluent.Workflow").ToList();
    }

    private static string[] Messages(IEnumerable<CapturedLog> lines) => lines.Select(l => l.Message).ToArray();

    [Test]
    public async Task By_default_every_line_written_while_replaying_is_dropped_including_the_re_executed_child()
    {
        var lines = await RunAsync(ReplayLogMode.DropWhileReplaying);
        Assert.That(Messages(lines), Is.EqualTo(new[] { "top", "rebuilding big", "before wait", "after wait" }));
        Assert.That(lines.Select(l => l.Properties.ContainsKey("isReplaying")), Has.All.False);
    }

    [Test]
    public async Task The_re_executed_child_logs_through_its_context_logger_when_asked_to_and_nothing_else_repeats()
    {
        var lines = await RunAsync(ReplayLogMode.LogReExecutedContexts);
        Assert.That(Messages(lines), Is.EqualTo(new[] { "top", "rebuilding big", "before wait", "rebuilding big", "after wait" }));
        var rerun = lines[3];
        Assert.That(rerun.Properties["replayingChildren"], Is.EqualTo(true));
        Assert.That(rerun.Properties["isReplaying"], Is.EqualTo(true));
        Assert.That(rerun.Properties["parentId"], Is.Not.Null, "the child's context logger: its lines name the context");
        Assert.That(lines[1].Properties.ContainsKey("replayingChildren"), Is.False, "the first run of the child is not a re-run");
        Assert.That(lines[1].Properties["parentId"], Is.EqualTo(rerun.Properties["parentId"]));
        Assert.That(lines[0].Properties.ContainsKey("parentId"), Is.False, "top-level code is in no child context");
    }

    [Test]
    public async Task Log_all_keeps_every_line_and_marks_the_replayed_ones()
    {
        var lines = await RunAsync(ReplayLogMode.LogAll);
        Assert.That(Messages(lines), Is.EqualTo(new[] { "top", "rebuilding big", "before wait", "top", "rebuilding big", "before wait", "after wait" }));
        Assert.That(lines.Select(l => l.Properties.ContainsKey("isReplaying")), Is.EqualTo(new[] { false, false, false, true, true, true, false }));
        Assert.That(lines.Select(l => l.Properties["durableExecutionArn"]).Distinct().Count(), Is.EqualTo(1));
    }
}
