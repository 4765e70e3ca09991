using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Tests.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Performance;

/// <summary>
/// The Lambda-path cost figure: checkpoint requests (CheckpointDurableExecution calls) per workflow shape, counted against
/// the local durable engine. Counts, not timings. Where concurrent units race for requests (map, parallel, pipelined mode)
/// the count is bounded from above by what the coalescing guarantees, and the exact figure is printed.
/// </summary>
public class CheckpointCostTests
{
    private const int Steps = 100;

    /// <summary>
    /// A runner whose sending lanes wait for every running sibling (no yield cap; the runner's clock does not move while the
    /// bodies run, so the 20 ms linger limit never ends the wait). Where the count depends on concurrent lanes joining one
    /// request, it then depends on the coalescing rule alone, not on how fast a loaded machine starts the sibling threads.
    /// </summary>
    private static DurableTestRunner CoalescingRunner() => new(new DurableTestRunnerOptions { LingerYieldCap = int.MaxValue });

    private static Workflow<int, int> Sequential(Action<StepConfigurator<int>>? configure, WorkflowOptions? options = null)
    {
        var b = Workflow.For<int>().Then("step-0", (v, _) => v + 1, configure);
        for (var i = 1; i < Steps; i++)
        {
            b = b.Then($"step-{i}", (v, _) => v + 1, configure);
        }

        return b.Build(options);
    }

    [Test]
    public async Task At_least_once_steps_cost_one_request_each()
    {
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(Sequential(null), 0);

        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(ex.Result, Is.EqualTo(Steps));
        // Step k's SUCCEED travels with step k+1's START, sent before k+1's body runs; the last one with the final flush.
        Assert.That(runner.CheckpointRequests, Is.EqualTo(Steps), "requests for 100 at-least-once steps");
    }

    [Test]
    public async Task At_most_once_steps_cost_one_request_each_plus_one()
    {
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(Sequential(s => s.AtMostOncePerRetry()), 0);

        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(ex.Result, Is.EqualTo(Steps));
        // START must be acknowledged before the body runs (that is the guarantee); the previous step's SUCCEED rides with it.
        Assert.That(runner.CheckpointRequests, Is.EqualTo(Steps + 1), "requests for 100 at-most-once steps");
        var history = ex.History.Where(e => e.EventType is HistoryEventType.StepStarted or HistoryEventType.StepSucceeded).Select(e => $"{e.EventType} {e.Name}").ToList();
        Assert.That(history.Take(4), Is.EqualTo(new[] { "StepStarted step-0", "StepSucceeded step-0", "StepStarted step-1", "StepSucceeded step-1" }), "the service still sees START, SUCCEED, START, SUCCEED in order");
    }

    [Test]
    public async Task A_wait_start_rides_with_the_preceding_succeed()
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
        // wait-0 START; then per invocation step-k START+SUCCEED with wait-(k+1) START; the last step with the final flush.
        Assert.That(runner.CheckpointRequests, Is.EqualTo(11), "one request per invocation");
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

    private static Workflow<int, int> StepMap(CheckpointMode mode) => Workflow.For<int>()
        .Map("items", n => Enumerable.Range(0, n), item => item.Then("work", (x, _) => x * 2), m => m.MaxConcurrency(10))
        .Select(r => r.Results.Sum())
        .Build(new WorkflowOptions { CheckpointMode = mode });

    [TestCase(CheckpointMode.Synchronous, 25)]
    [TestCase(CheckpointMode.Pipelined, 15)]
    public async Task Map_step_items_share_requests_even_against_a_fast_store(CheckpointMode mode, int bound)
    {
        using var runner = CoalescingRunner();
        var ex = await runner.RunAsync(StepMap(mode), Steps);

        Assert.That(ex.Result, Is.EqualTo(Enumerable.Range(0, Steps).Sum() * 2));
        Assert.That(ex.Operations.Count(o => o is { Type: OperationType.Step, Status: OperationStatus.Succeeded }), Is.EqualTo(Steps));
        // Ten workers whose bodies finish together join one request (about one per wave of ten); it used to be one per item.
        TestContext.Out.WriteLine($"{mode}: {runner.CheckpointRequests} requests for a map of 100 step items at concurrency 10 (in-memory store)");
        Assert.That(runner.CheckpointRequests, Is.LessThanOrEqualTo(bound));
    }

    [Test]
    public async Task Parallel_step_branches_share_requests()
    {
        var wf = Workflow.For<int>()
            .Parallel("fan", Enumerable.Range(0, 20).Select(i => (Func<WorkflowBuilder<int, int>, WorkflowBuilder<int, int>>)(b => b.Then($"work-{i}", (x, _) => x + i))).ToArray(), c => c.MaxConcurrency(10))
            .Select(r => r.Results.Sum())
            .Build();
        using var runner = CoalescingRunner();
        var ex = await runner.RunAsync(wf, 1);

        Assert.That(ex.Result, Is.EqualTo(20 + Enumerable.Range(0, 20).Sum()));
        TestContext.Out.WriteLine($"{runner.CheckpointRequests} requests for a parallel of 20 step branches at concurrency 10");
        Assert.That(runner.CheckpointRequests, Is.LessThanOrEqualTo(8), "one request per branch without coalescing: 21");
    }

    [Test]
    public async Task Pipelined_steps_share_requests_over_a_slow_store()
    {
        // A store with a 20 ms round trip: the steps (microseconds each) run while a request is in flight, so each request
        // carries up to the pipeline window of SUCCEEDs.
        var (store, engine, arn) = SlowStore(TimeSpan.FromMilliseconds(20));
        var output = await Sequential(null, new WorkflowOptions { CheckpointMode = CheckpointMode.Pipelined }).HandleAsync(engine.BeginInvocation(arn), store);

        Assert.That(output.Status, Is.EqualTo(InvocationStatus.Succeeded));
        Assert.That(output.Result, Is.EqualTo("100"));
        Assert.That(engine.GetOperations(arn).Count(o => o is { Type: OperationType.Step, Status: OperationStatus.Succeeded }), Is.EqualTo(Steps), "every SUCCEED is durable when the invocation returns");
        TestContext.Out.WriteLine($"pipelined: {store.Requests} requests for 100 sequential steps (window 32, 20 ms store)");
        Assert.That(store.Requests, Is.LessThanOrEqualTo(10));
        Assert.That(store.InFlight, Is.Zero, "no request is still in flight when the invocation returns");
    }

    [Test]
    public async Task The_pipeline_window_bounds_results_passed_on_before_they_are_durable()
    {
        var (store, engine, arn) = SlowStore(TimeSpan.FromMilliseconds(5));
        var completed = 0;
        var worst = 0;
        var b = Workflow.For<int>().Select(v => v);
        for (var i = 0; i < 60; i++)
        {
            b = b.Then($"s{i}", (v, _) =>
            {
                // Bodies done so far minus SUCCEEDs the service has accepted: results passed on before they were durable.
                var ahead = Volatile.Read(ref completed) - store.AcceptedStepSucceeds;
                worst = Math.Max(worst, ahead);
                Interlocked.Increment(ref completed);
                return v + 1;
            });
        }

        var wf = b.Build(new WorkflowOptions { CheckpointMode = CheckpointMode.Pipelined, PipelineWindow = 5 });
        var output = await wf.HandleAsync(engine.BeginInvocation(arn), store);

        Assert.That(output.Result, Is.EqualTo("60"));
        Assert.That(worst, Is.InRange(1, 5), "pipelining happened, and never beyond the window");
    }

    [Test]
    public void A_pipeline_window_below_one_is_refused_at_build()
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() => Workflow.For<int>().Then("s", (v, _) => v).Build(new WorkflowOptions { PipelineWindow = 0 }));
        Assert.That(ex!.Message, Does.Contain("PipelineWindow is 0").And.Contain("at least 1"));
    }

    private static (LatencyStore Store, LocalDurableEngine Engine, string Arn) SlowStore(TimeSpan latency)
    {
        var engine = new LocalDurableEngine(new VirtualClock());
        var arn = engine.StartExecution(new StartExecutionRequest { InputPayload = "0" });
        return (new LatencyStore(new InMemoryCheckpointStore(engine), latency), engine, arn);
    }
}
