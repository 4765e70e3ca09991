using Durable.Fluent.Retries;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Waiting;

/// <summary>Waits, callbacks, polls and invokes may be unnamed; their history events then carry no Name.</summary>
public class UnnamedOperationsTests
{
    [Test]
    public async Task An_unnamed_wait_for_callback_has_unnamed_children_and_completes()
    {
        var wf = Workflow.For<string>()
            .WaitForCallback<string>((value, id, ct) => Task.CompletedTask, cb => cb.Timeout(TimeSpan.FromMinutes(5)))
            .Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("*", CallbackResponse.Succeed("\"done\"").After(TimeSpan.FromSeconds(1)));
        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo("done"));
        var kinds = execution.History.Where(e => e.SubType is OperationSubTypes.WaitForCallback or OperationSubTypes.Callback or OperationSubTypes.Step).ToList();
        Assert.That(kinds, Is.Not.Empty);
        Assert.That(kinds.All(e => e.Name is null), Is.True);
    }

    [Test]
    public async Task An_unnamed_poll_and_an_unnamed_invoke_work_like_named_ones()
    {
        var wf = Workflow.For<int>()
            .WaitForCondition<int>((n, _) => n + 1, WaitStrategy.Fixed<int>(n => n < 3, TimeSpan.FromSeconds(2)), 0)
            .Invoke<int>("doubler")
            .Build();
        using var runner = new DurableTestRunner();
        runner.RegisterFunction<int, int>("doubler", n => n * 2);
        var execution = await runner.RunAsync(wf, 0);

        Assert.That(execution.Result, Is.EqualTo(6));
        Assert.That(execution.History.Where(e => e.Id is not null && e.EventType != HistoryEventType.ExecutionStarted && e.EventType != HistoryEventType.ExecutionSucceeded).All(e => e.Name is null), Is.True);
        Assert.That(execution.History.Count(e => e.EventType == HistoryEventType.StepStarted), Is.EqualTo(3));
    }
}
