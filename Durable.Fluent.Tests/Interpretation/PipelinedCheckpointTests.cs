using Durable.Fluent.Interpretation;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Tests.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Interpretation;

/// <summary>
/// Pipelined checkpoints (<see cref="CheckpointMode.Pipelined"/>) over a store with a 10 ms round trip: at-least-once step
/// results are passed on while their SUCCEED is in flight, and everything is flushed before anything user-visible — an
/// at-most-once body, a callback handed to a submitter, a chained invoke, a wait or retry (suspension) and the invocation's
/// return. Each test runs ten pipelined steps and then the barrier, and checks what the service had accepted at that moment.
/// </summary>
public class PipelinedCheckpointTests
{
    private const int Before = 10;
    private static readonly TimeSpan Rtt = TimeSpan.FromMilliseconds(10);

    private static WorkflowBuilder<int, int> TenSteps()
    {
        var b = Workflow.For<int>().Then("s0", (v, _) => v + 1);
        for (var i = 1; i < Before; i++)
        {
            b = b.Then($"s{i}", (v, _) => v + 1);
        }

        return b;
    }

    private static WorkflowOptions Pipelined => new() { CheckpointMode = CheckpointMode.Pipelined };

    /// <summary>Runs one invocation of the workflow <paramref name="build"/> makes over a 10 ms store; the workflow's bodies can
    /// read the store (what the service has accepted so far) through the function they are given.</summary>
    private static async Task<(DurableExecutionInvocationOutput Output, LatencyStore Store)> RunAsync<TOut>(Func<Func<LatencyStore>, Workflow<int, TOut>> build, Task? hold = null)
    {
        LatencyStore? store = null;
        var workflow = build(() => store!);
        var engine = new LocalDurableEngine(new VirtualClock());
        var arn = engine.StartExecution(new StartExecutionRequest { InputPayload = "0" });
        store = new LatencyStore(new InMemoryCheckpointStore(engine), Rtt) { Hold = hold };
        var output = await workflow.HandleAsync(engine.BeginInvocation(arn), store);
        return (output, store);
    }

    [Test]
    public async Task Results_are_passed_on_before_their_succeed_is_acknowledged()
    {
        var seen = new List<int>();
        // The store answers nothing until the probe has run: the probe cannot miss the in-flight SUCCEEDs because a loaded
        // machine stalled the interpreter for a few round trips. An implementation that waits for the answers before the
        // next body never runs the probe, so the hold also ends after a generous bound (and the probe then sees all ten).
        var probed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hold = Task.WhenAny(probed.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        var (output, store) = await RunAsync(
            store => TenSteps().Then("probe", (v, _) =>
            {
                seen.Add(store().AcceptedStepSucceeds);
                probed.TrySetResult();
                return v;
            }).Build(Pipelined),
            hold);

        Assert.That(output.Result, Is.EqualTo("10"));
        Assert.That(seen.Single(), Is.LessThan(Before), "the probe ran while earlier SUCCEEDs were still in flight");
        Assert.That(store.AcceptedStepSucceeds, Is.EqualTo(Before + 1), "everything is durable when the invocation returns");
        Assert.That(store.InFlight, Is.Zero);
    }

    [Test]
    public async Task In_synchronous_mode_a_body_never_starts_before_the_previous_result_is_durable()
    {
        var seen = new List<int>();
        var (_, store) = await RunAsync(store => TenSteps().Then("probe", (v, _) =>
        {
            seen.Add(store().AcceptedStepSucceeds);
            return v;
        }).Build());

        Assert.That(seen.Single(), Is.EqualTo(Before));
        Assert.That(store.Requests, Is.EqualTo(Before + 1), "one request per step: its START with the previous SUCCEED");
    }

    [Test]
    public async Task An_at_most_once_body_starts_only_when_every_earlier_result_is_durable()
    {
        var acceptedAtStart = -1;
        await RunAsync(store => TenSteps().Then("charge", (v, _) =>
        {
            acceptedAtStart = store().AcceptedStepSucceeds;
            return v;
        }, s => s.AtMostOncePerRetry()).Then("after", (v, _) => v).Build(Pipelined));

        Assert.That(acceptedAtStart, Is.EqualTo(Before));
    }

    [Test]
    public async Task An_at_least_once_step_after_an_at_most_once_step_runs_on_its_durable_result()
    {
        // At-most-once SUCCEEDs are never pipelined: the next body waits for it.
        var accepted = new List<bool>();
        await RunAsync(store => Workflow.For<int>()
            .Then("charge", (v, ctx) => v + 1, s => s.AtMostOncePerRetry())
            .Then("ship", (v, ctx) =>
            {
                accepted.Add(store().SucceedAccepted(OperationIds.Create(null, 1)));
                return v;
            })
            .Build(Pipelined));

        Assert.That(accepted, Is.EqualTo(new[] { true }));
    }

    [Test]
    public async Task A_callback_is_handed_to_its_submitter_only_when_every_earlier_result_is_durable()
    {
        var acceptedAtSubmit = -1;
        var (output, store) = await RunAsync(store => TenSteps().WaitForCallback<string>("approval", (int v, string callbackId) => acceptedAtSubmit = store().AcceptedStepSucceeds).Build(Pipelined));

        Assert.That(output.Status, Is.EqualTo(InvocationStatus.Pending));
        Assert.That(acceptedAtSubmit, Is.EqualTo(Before), "the callback START (synchronous) flushed every earlier SUCCEED first");
        Assert.That(store.AcceptedStepSucceeds, Is.EqualTo(Before + 1), "the submitter's own SUCCEED is durable before the invocation suspends");
        Assert.That(store.InFlight, Is.Zero);
    }

    [Test]
    public async Task A_chained_invoke_starts_only_with_every_earlier_result()
    {
        var (output, store) = await RunAsync(_ => TenSteps().Invoke<int>("call", "target-function").Build(Pipelined));

        Assert.That(output.Status, Is.Not.EqualTo(InvocationStatus.Succeeded));
        var log = store.Log;
        var invokeRequest = log.ToList().FindIndex(r => r.Any(u => u.Type == OperationType.ChainedInvoke && u.Action == OperationAction.Start));
        Assert.That(invokeRequest, Is.GreaterThanOrEqualTo(0));
        var succeedsUpToInvoke = log.Take(invokeRequest + 1).SelectMany(r => r).Count(u => u is { Type: OperationType.Step, Action: OperationAction.Succeed });
        Assert.That(succeedsUpToInvoke, Is.EqualTo(Before), "the invoke's START went in (or after) the request that carried the last SUCCEED");
        var invokeUpdates = log[invokeRequest].ToList();
        var invokeIndex = invokeUpdates.FindIndex(u => u.Type == OperationType.ChainedInvoke);
        Assert.That(invokeUpdates.Skip(invokeIndex + 1).Any(u => u.Type == OperationType.Step), Is.False, "nothing earlier is ordered after the invoke");
    }

    [TestCase("wait")]
    [TestCase("retry")]
    public async Task A_suspension_waits_until_every_result_is_durable(string kind)
    {
        var b = TenSteps();
        var wf = kind == "wait"
            ? b.Wait("pause", TimeSpan.FromSeconds(5)).Build(Pipelined)
            : b.Then("flaky", int (v, _) => throw new TimeoutException("transient"), s => s.Retry(Durable.Fluent.Retries.RetryPresets.Fixed(TimeSpan.FromSeconds(1)))).Build(Pipelined);

        var (output, store) = await RunAsync(_ => wf);
        var requestsAtReturn = store.Requests;
        await Task.Delay(3 * Rtt);

        Assert.That(output.Status, Is.EqualTo(InvocationStatus.Pending));
        Assert.That(store.AcceptedStepSucceeds, Is.EqualTo(Before));
        Assert.That(store.InFlight, Is.Zero, "no request is in flight when the invocation suspends");
        Assert.That(store.Requests, Is.EqualTo(requestsAtReturn), "and none starts after it returned");
    }

    [Test]
    public async Task Pipelined_and_synchronous_mode_record_the_same_history()
    {
        var b = TenSteps().Wait("pause", TimeSpan.FromSeconds(2)).Then("last", (v, _) => v * 2);
        using var syncRunner = new DurableTestRunner();
        using var pipeRunner = new DurableTestRunner();
        var sync = await syncRunner.RunAsync(b.Build(), 1);
        var pipe = await pipeRunner.RunAsync(b.Build(Pipelined), 1);

        Assert.That(pipe.Result, Is.EqualTo(sync.Result));
        Assert.That(pipe.History.Select(e => $"{e.EventType} {e.Name}"), Is.EqualTo(sync.History.Select(e => $"{e.EventType} {e.Name}")));
    }
}
