using System.Text.Json;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Composition;

public class MapTests
{
    [Test]
    public async Task Basic_map_with_a_step_per_item_9_1()
    {
        var wf = Workflow.For<string[]>()
            .Map("map", names => names, item => item.Then("greet", (n, _) => $"Hello, {n}!"), m => m.MaxConcurrency(1))
            .Select(r => r.Results)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, ["World", "Kiro"]);
        Assert.That(ex.Result, Is.EqualTo(new[] { "Hello, World!", "Hello, Kiro!" }));
        Assert.That(Kit.Shape(ex), Is.EqualTo(
            "ContextStarted(Map), ContextStarted(MapIteration), StepStarted(Step), StepSucceeded(Step), ContextSucceeded(MapIteration), "
            + "ContextStarted(MapIteration), StepStarted(Step), StepSucceeded(Step), ContextSucceeded(MapIteration), ContextSucceeded(Map)"));
    }

    [Test]
    public async Task Hundred_items_in_batches_of_ten_make_ten_iteration_contexts()
    {
        var runs = 0;
        var wf = Workflow.For<int>()
            .Map("process_items", n => Enumerable.Range(1, n), item => item.Then("square", (v, _) => { Interlocked.Increment(ref runs); return v * v; }), m => m.BatchSize(10).MaxConcurrency(4))
            .Wait("after", TimeSpan.FromSeconds(1))
            .Select(r => new { total = r.TotalCount, sum = r.Results.Sum() })
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, 100);

        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded), ex.Error?.ErrorMessage);
        Assert.That(ex.ResultPayload, Is.EqualTo($"{{\"total\":100,\"sum\":{Enumerable.Range(1, 100).Sum(v => v * v)}}}"));
        var iterations = ex.Operations.Where(o => o.SubType == OperationSubTypes.MapIteration).ToList();
        Assert.That(iterations, Has.Count.EqualTo(10));
        Assert.That(iterations.Select(i => i.Name), Is.EquivalentTo(Enumerable.Range(0, 10).Select(b => $"map-batch-{b}")));
        var map = ex.GetOperation("process_items");
        var steps = ex.Operations.Where(o => o.Type == OperationType.Step).ToList();
        Assert.That(steps, Has.Count.EqualTo(100));
        Assert.That(steps.All(s => iterations.Any(i => i.Id == s.ParentId)), Is.True);
        Assert.That(iterations.All(i => i.ParentId == map.Id), Is.True);
        Assert.That(runs, Is.EqualTo(100), "item bodies ran once; replay after the wait used the checkpoint");
    }

    [Test]
    public async Task Batched_items_fail_individually()
    {
        var wf = Workflow.For<int>()
            .Map("odd_fails", n => Enumerable.Range(0, n), item => item.Select(v => v % 2 == 1 ? throw new InvalidOperationException($"odd {v}") : v), m => m.BatchSize(3).Completion(CompletionConfig.AllCompleted))
            .Select(r => new { ok = r.Results, failed = r.Failed().Select(f => f.Index), reason = r.CompletionReason, messages = r.Errors.Select(e => e.Message) })
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, 7);
        Assert.That(ex.ResultPayload, Is.EqualTo("{\"ok\":[0,2,4,6],\"failed\":[1,3,5],\"reason\":\"ALL_COMPLETED\",\"messages\":[\"odd 1\",\"odd 3\",\"odd 5\"]}"));
        Assert.That(ex.Operations.Count(o => o.SubType == OperationSubTypes.MapIteration), Is.EqualTo(3));
    }

    [Test]
    public async Task Items_only_form_and_item_plus_index_9_2_9_3()
    {
        var wf = Workflow.For<int[]>()
            .Map(xs => xs, (x, i) => x + i, m => m.MaxConcurrency(1))
            .Select(r => r.Results)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, [10, 20, 30]);
        Assert.That(ex.Result, Is.EqualTo(new[] { 10, 21, 32 }));
        Assert.That(Kit.Events(ex)[0].Name, Is.Null);
    }

    [Test]
    public async Task Item_namer_names_iterations_9_13()
    {
        var wf = Workflow.For<int[]>()
            .Map("named-items", xs => xs, (x, _) => x * 10, m => m.MaxConcurrency(1).ItemName((_, i) => $"item-{i + 1}"))
            .Select(r => r.Results)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, [1, 2]);
        Assert.That(ex.Result, Is.EqualTo(new[] { 10, 20 }));
        Assert.That(ex.Operations.Where(o => o.SubType == OperationSubTypes.MapIteration).Select(o => o.Name), Is.EqualTo(new[] { "item-1", "item-2" }));
    }

    [Test]
    public async Task Item_serializer_9_14_and_operation_serializer_9_19_9_20()
    {
        var wf = Workflow.For<string[]>()
            .Map("serde", xs => xs, (x, _) => x.ToUpperInvariant(), m => m.MaxConcurrency(1).ItemSerializer(new WrappingSerDes()).SerializeWith(new OpSerDes()))
            .Wait("after", TimeSpan.FromSeconds(1))
            .Select(r => r.Results)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, ["x", "y"]);
        Assert.That(ex.Result, Is.EqualTo(new[] { "X", "Y" }));
        Assert.That(ex.Invocations, Is.EqualTo(2));
        var succeeded = ex.History.Where(e => e.EventType == HistoryEventType.ContextSucceeded).Select(e => e.Details.Result?.Payload).ToList();
        Assert.That(succeeded, Is.EqualTo(new[] { "wrapped:X", "wrapped:Y", "OPSERDE:X,Y" }));
    }

    [Test]
    public async Task Empty_list_9_4()
    {
        var wf = Workflow.For<int[]>().Map("empty", xs => xs, (x, _) => x).Select(r => r.Results).Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, []);
        Assert.That(ex.ResultPayload, Is.EqualTo("[]"));
        Assert.That(Kit.Shape(ex), Is.EqualTo("ContextStarted(Map), ContextSucceeded(Map)"));
    }

    [TestCase("9-5", new[] { 'S', 'F', 'S' }, 0, null, "FAILURE_TOLERANCE_EXCEEDED", 1, 1, 2)]
    [TestCase("9-7", new[] { 'S', 'S', 'S', 'S' }, null, 2, "MIN_SUCCESSFUL_REACHED", 2, 0, 2)]
    [TestCase("9-8", new[] { 'S', 'F', 'S' }, 1, null, "ALL_COMPLETED", 2, 1, 3)]
    [TestCase("9-9", new[] { 'F', 'F', 'S' }, 1, null, "FAILURE_TOLERANCE_EXCEEDED", 0, 2, 2)]
    public async Task Completion_policy(string id, char[] outcomes, int? tolerated, int? minSuccessful, string reason, int successes, int failures, int total)
    {
        var wf = Workflow.For<char[]>()
            .Map(id, xs => xs, (x, _) => x == 'S' ? "ok" : throw new InvalidOperationException("item failed"), m => m.MaxConcurrency(1).Completion(new CompletionConfig { ToleratedFailureCount = tolerated, MinSuccessful = minSuccessful }))
            .Select(Kit.Projection)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, outcomes);
        var json = JsonDocument.Parse(ex.ResultPayload!).RootElement;
        Assert.That(json.GetProperty("completionReason").GetString(), Is.EqualTo(reason));
        Assert.That(json.GetProperty("successCount").GetInt32(), Is.EqualTo(successes));
        Assert.That(json.GetProperty("failureCount").GetInt32(), Is.EqualTo(failures));
        Assert.That(json.GetProperty("totalCount").GetInt32(), Is.EqualTo(total));
        Assert.That(ex.Operations.Count(o => o.SubType == OperationSubTypes.MapIteration), Is.EqualTo(total));
    }

    [Test]
    public async Task Failed_map_is_not_rerun_after_a_wait_9_18()
    {
        var runs = 0;
        var wf = Workflow.For<string[]>()
            .Map("m", xs => xs, item => item.Then("work", (x, _) => { Interlocked.Increment(ref runs); return x == "bad" ? throw new InvalidOperationException("bad") : x; }, s => s.NoRetry()), m => m.MaxConcurrency(1).Completion(CompletionConfig.ToleratingFailures(1)))
            .Wait("w", TimeSpan.FromSeconds(1))
            .Select(Kit.Projection)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, ["good", "bad"]);
        Assert.That(ex.ResultPayload, Is.EqualTo("{\"completionReason\":\"ALL_COMPLETED\",\"status\":\"FAILED\",\"successCount\":1,\"failureCount\":1,\"totalCount\":2}"));
        Assert.That(runs, Is.EqualTo(2));
        Assert.That(ex.Invocations, Is.EqualTo(2));
    }

    [Test]
    public async Task Large_result_uses_replay_children_and_rebuilds_without_rerunning_items_9_16()
    {
        var runs = 0;
        var wf = Workflow.For<int>()
            .Map("big", n => Enumerable.Range(0, n), item => item.Then("make", (i, _) => { Interlocked.Increment(ref runs); return new string((char)('a' + i), 70_000); }), m => m.MaxConcurrency(1))
            .Wait("w", TimeSpan.FromSeconds(1))
            .Select(r => new { successCount = r.SuccessCount, totalCount = r.TotalCount, first = r.Results[3][..3] })
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, 4);
        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded), ex.Error?.ErrorMessage);
        Assert.That(ex.ResultPayload, Is.EqualTo("{\"successCount\":4,\"totalCount\":4,\"first\":\"ddd\"}"));
        var map = ex.GetOperation("big");
        Assert.That(map.ContextDetails?.ReplayChildren, Is.True);
        Assert.That(map.ContextDetails?.Result, Does.Contain("\"type\":\"MapResult\""));
        Assert.That(runs, Is.EqualTo(4));
    }

    [Test]
    public async Task Flat_map_9_12()
    {
        var wf = Workflow.For<string[]>()
            .Map("flat", xs => xs, item => item.Then("echo", (x, _) => x), m => m.MaxConcurrency(1).Flat())
            .Select(r => r.Results)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, ["fa", "fb"]);
        Assert.That(ex.Result, Is.EqualTo(new[] { "fa", "fb" }));
        Assert.That(Kit.Shape(ex), Is.EqualTo("ContextStarted(Map), StepStarted(Step), StepSucceeded(Step), StepStarted(Step), StepSucceeded(Step), ContextSucceeded(Map)"));
    }

    [Test]
    public async Task Min_successful_above_the_item_count_fails_before_any_checkpoint()
    {
        var wf = Workflow.For<int[]>().Map("m", xs => xs, (x, _) => x, m => m.Completion(CompletionConfig.WithMinSuccessful(5))).Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, [1, 2]);
        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(ex.Error?.ErrorType, Is.EqualTo(typeof(BatchConfigurationException).FullName));
        Assert.That(Kit.Events(ex), Is.Empty);
    }
}
