using Durable.Fluent.Retries;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using static Durable.Fluent.Tests.Waiting.WaitingTestSupport;

namespace Durable.Fluent.Tests.Waiting;

public class WaitForConditionTests
{
    public sealed record JobStatus(string Status, int Attempts);

    [Test]
    public async Task Polls_to_completion_on_the_virtual_clock()
    {
        var checks = 0;
        var wf = Workflow.For<int>()
            .WaitForCondition<int>("poll-status", (state, ctx) =>
            {
                checks++;
                return state + 1;
            }, WaitStrategy.Fixed<int>(s => s < 3, TimeSpan.FromSeconds(2)), initialState: 0)
            .Build();
        using var runner = new DurableTestRunner();
        var start = runner.Clock.GetUtcNow();

        var execution = await runner.RunAsync(wf, 3);

        Dump(execution);
        Assert.That(execution.Result, Is.EqualTo(3));
        Assert.That(checks, Is.EqualTo(3), "each poll's check ran once; replays use the checkpointed state");
        Assert.That(Sequence(execution), Is.EqualTo(new[]
        {
            "StepStarted", "StepSucceeded", "InvocationCompleted",
            "StepStarted", "StepSucceeded", "InvocationCompleted",
            "StepStarted", "StepSucceeded", "InvocationCompleted", "ExecutionSucceeded",
        }));
        var succeeded = execution.History.Where(e => e.EventType == HistoryEventType.StepSucceeded).ToList();
        Assert.That(succeeded.Select(e => e.SubType), Is.All.EqualTo(OperationSubTypes.WaitForCondition));
        Assert.That(succeeded.Select(e => e.Name), Is.All.EqualTo("poll-status"));
        Assert.That(succeeded.Select(e => e.Details.Result!.Payload), Is.EqualTo(new[] { "1", "2", "3" }));
        Assert.That(succeeded.Select(e => e.Details.RetryDetails), Is.EqualTo(new[] { new RetryDetails(1, 2), new RetryDetails(2, 2), new RetryDetails(3) }));
        Assert.That(runner.Clock.GetUtcNow() - start, Is.EqualTo(TimeSpan.FromSeconds(4)));
    }

    [Test]
    public async Task Structured_state_with_an_async_check_starts_from_the_current_value()
    {
        var wf = Workflow.For<string>()
            .Select(_ => new JobStatus("PENDING", 0))
            .WaitForCondition<JobStatus>("wait_for_job", (s, ctx) => s.Attempts + 1 >= 2 ? s with { Status = "DONE", Attempts = s.Attempts + 1 } : s with { Attempts = s.Attempts + 1 },
                WaitStrategy.Exponential<JobStatus>(s => s.Status == "PENDING", initialDelay: TimeSpan.FromSeconds(1), jitter: JitterStrategy.None))
            .WaitForCondition<JobStatus>("confirm", async (s, ctx, ct) =>
            {
                await Task.Yield();
                return s with { Status = s.Status + "!" };
            }, WaitStrategy.FromDelegate<JobStatus>((_, _) => WaitDecision.Stop), initialState: new JobStatus("X", 0))
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo(new JobStatus("X!", 0)));
        Assert.That(execution.GetOperation("wait_for_job").StepDetails!.Result, Is.EqualTo("""{"status":"DONE","attempts":2}"""));
    }

    [Test]
    public async Task Exhausted_attempts_fail_with_the_last_state()
    {
        var wf = Workflow.For<int>()
            .WaitForCondition<int>("never", (s, _) => s + 1, WaitStrategy.Fixed<int>(_ => true, TimeSpan.FromSeconds(1), maxAttempts: 3), initialState: 0)
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, 0);

        Dump(execution);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(Sequence(execution), Is.EqualTo(new[]
        {
            "StepStarted", "StepSucceeded", "InvocationCompleted",
            "StepStarted", "StepSucceeded", "InvocationCompleted",
            "StepStarted", "StepFailed", "InvocationCompleted", "ExecutionFailed",
        }));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo(typeof(WaitForConditionExhaustedException).FullName));
        Assert.That(execution.Error.ErrorData, Is.EqualTo("3"), "the last state travels in ErrorData");
    }

    [Test]
    public async Task Check_that_throws_fails_at_once_and_can_be_caught()
    {
        WaitForConditionFailedException? caught = null;
        var wf = Workflow.For<string>()
            .Try(
                b => b.WaitForCondition<int>("flaky", (s, _) => throw new InvalidOperationException("status endpoint down"), WaitStrategy.Fixed<int>(_ => true, TimeSpan.FromSeconds(1)), initialState: 7)
                      .Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                h => h.Catch<WaitForConditionFailedException>((ex, _) =>
                {
#pragma warning disable DF0001 // the test records what the fallback saw
                    caught = ex;
#pragma warning restore DF0001
                    return "recovered";
                }))
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo("recovered"));
        Assert.That(Sequence(execution), Is.EqualTo(new[] { "StepStarted", "StepFailed", "InvocationCompleted", "ExecutionSucceeded" }));
        Assert.That(caught!.ErrorType, Is.EqualTo("System.InvalidOperationException"));
        Assert.That(caught.Message, Is.EqualTo("status endpoint down"));
        Assert.That(caught.LastState<int>(), Is.EqualTo(7));
        Assert.That(caught.IsExhausted, Is.False);
    }

    [Test]
    public void Initial_state_from_the_current_value_must_have_the_state_type()
    {
        Assert.That(
            () => Workflow.For<string>().WaitForCondition<int>("bad", (s, _) => s, WaitStrategy.Fixed<int>(_ => false, TimeSpan.FromSeconds(1))),
            Throws.TypeOf<WorkflowDefinitionException>().With.Message.Contains("initialState"));
    }
}
