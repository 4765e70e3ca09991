using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Performance;

/// <summary>
/// The Lambda-path cost figure: checkpoint requests (CheckpointDurableExecution calls) per step, counted against the local
/// durable engine. Counts, not timings.
/// </summary>
public class CheckpointCostTests
{
    private const int Steps = 100;

    private static Workflow<int, int> Sequential(Action<StepConfigurator<int>>? configure)
    {
        var b = Workflow.For<int>().Then("step-0", (v, _) => v + 1, configure);
        for (var i = 1; i < Steps; i++)
        {
            b = b.Then($"step-{i}", (v, _) => v + 1, configure);
        }

        return b.Build();
    }

    [Test]
    public async Task At_least_once_steps_cost_one_request_each()
    {
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(Sequential(null), 0);

        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(ex.Result, Is.EqualTo(Steps));
        // START is queued and travels with the SUCCEED: one request per step, the execution result rides on the response.
        Assert.That(runner.CheckpointRequests, Is.EqualTo(Steps), "requests for 100 at-least-once steps");
    }

    [Test]
    public async Task At_most_once_steps_cost_two_requests_each()
    {
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(Sequential(s => s.AtMostOncePerRetry()), 0);

        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        // START must be acknowledged before the body runs (that is the guarantee), then SUCCEED: two requests per step.
        Assert.That(runner.CheckpointRequests, Is.EqualTo(2 * Steps), "requests for 100 at-most-once steps");
    }

    [Test]
    public async Task A_wait_costs_one_request()
    {
        var b = Workflow.For<int>().Select(v => v);
        for (var i = 0; i < 10; i++)
        {
            b = b.Wait($"wait-{i}", TimeSpan.FromSeconds(1)).Then($"step-{i}", (v, _) => v + 1);
        }

        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(b.Build(), 0);

        Assert.That(ex.Result, Is.EqualTo(10));
        Assert.That(ex.Invocations, Is.EqualTo(11));
        Assert.That(runner.CheckpointRequests, Is.EqualTo(20), "one request per wait START, one per step");
    }

    [Test]
    public async Task Map_items_are_batched_with_the_map_checkpoint()
    {
        var wf = Workflow.For<int>()
            .Map("items", n => Enumerable.Range(0, n), (x, i) => x + i, m => m.MaxConcurrency(10))
            .Select(r => r.Results.Sum())
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, 50);

        Assert.That(ex.Result, Is.EqualTo(2 * Enumerable.Range(0, 50).Sum()));
        Assert.That(ex.Operations.Count(o => o.SubType == OperationSubTypes.MapIteration), Is.EqualTo(50));
        // 1 map START + 50 × (iteration START + SUCCEED) + map SUCCEED = 102 updates: one request.
        Assert.That(runner.CheckpointRequests, Is.EqualTo(1), "requests for a map of 50 pure items");
    }
}
