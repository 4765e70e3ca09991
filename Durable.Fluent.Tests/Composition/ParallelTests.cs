using System.Text.Json;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Composition;

public class ParallelTests
{
    private sealed record Profile(string User, int Orders, bool Vip);

    [Test]
    public async Task Heterogeneous_branches_give_a_typed_tuple_without_casts()
    {
        var wf = Workflow.For<string>()
            .Parallel("load_profile", p => p
                    .Branch("user", b => b.Then("get_user", (id, ctx) => $"user-{id}"))
                    .Branch("orders", b => b.Then("count_orders", (id, ctx) => id.Length))
                    .Branch("vip", b => b.Select(id => id.StartsWith('v'))),
                c => c.MaxConcurrency(1))
            .Select(r =>
            {
                var (user, orders, vip) = r.Values;
                return new Profile(user, orders, vip);
            })
            .Build();

        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, "v42");

        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(ex.Result, Is.EqualTo(new Profile("user-v42", 3, true)));
        var parallel = ex.GetOperation("load_profile");
        Assert.That(parallel.SubType, Is.EqualTo(OperationSubTypes.Parallel));
        var branches = ex.Operations.Where(o => o.SubType == OperationSubTypes.ParallelBranch).ToList();
        Assert.That(branches.Select(b => b.Name), Is.EqualTo(new[] { "user", "orders", "vip" }));
        Assert.That(branches.All(b => b.ParentId == parallel.Id), Is.True);
        Assert.That(branches.Select(b => b.Id), Is.EqualTo(new[] { 1, 2, 3 }.Select(n => Durable.Fluent.Interpretation.OperationIds.Create(parallel.Id, n))));
        Assert.That(ex.GetOperation("get_user").ParentId, Is.EqualTo(branches[0].Id));
    }

    [Test]
    public async Task Basic_history_matches_8_1()
    {
        var wf = Workflow.For<object?>()
            .Parallel("parallel", p => p
                    .Branch(b => b.Then("task1", (_, _) => "task-1"))
                    .Branch(b => b.Then("task2", (_, _) => "task-2")),
                c => c.MaxConcurrency(1))
            .Select(r => r.Batch.Results)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);

        Assert.That(ex.ResultPayload, Is.EqualTo("[\"task-1\",\"task-2\"]"));
        Assert.That(Kit.Shape(ex), Is.EqualTo(
            "ContextStarted(Parallel), ContextStarted(ParallelBranch), StepStarted(Step), StepSucceeded(Step), ContextSucceeded(ParallelBranch), "
            + "ContextStarted(ParallelBranch), StepStarted(Step), StepSucceeded(Step), ContextSucceeded(ParallelBranch), ContextSucceeded(Parallel)"));
        var branchSucceeded = ex.History.First(e => e.EventType == HistoryEventType.ContextSucceeded && e.SubType == OperationSubTypes.ParallelBranch);
        Assert.That(branchSucceeded.Details.Result?.Payload, Is.EqualTo("\"task-1\""));
    }

    [Test]
    public async Task Unnamed_parallel_with_direct_values_8_2_and_heterogeneous_values_8_4()
    {
        var wf = Workflow.For<object?>()
            .Parallel(p => p.Branch(Kit.Ok<object?, object?>("alpha")).Branch(b => b.Select(_ => 42)).Branch(b => b.Select(_ => new Dictionary<string, string> { ["k"] = "v" })), c => c.MaxConcurrency(1))
            .Select(r => r.Batch.Results)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);
        Assert.That(ex.ResultPayload, Is.EqualTo("[\"alpha\",42,{\"k\":\"v\"}]"));
        Assert.That(Kit.Events(ex)[0].Name, Is.Null);
    }

    [TestCase("8-6", new[] { 'S', 'F', 'S' }, 0, null, null, "FAILURE_TOLERANCE_EXCEEDED", "FAILED", 1, 1, 2)]
    [TestCase("8-8", new[] { 'S', 'S', 'S', 'S' }, null, 2, null, "MIN_SUCCESSFUL_REACHED", "SUCCEEDED", 2, 0, 2)]
    [TestCase("8-9", new[] { 'S', 'F', 'S' }, 1, null, null, "ALL_COMPLETED", "FAILED", 2, 1, 3)]
    [TestCase("8-10", new[] { 'F', 'F', 'S' }, 1, null, null, "FAILURE_TOLERANCE_EXCEEDED", "FAILED", 0, 2, 2)]
    [TestCase("8-13", new[] { 'F', 'F', 'S', 'S' }, null, null, 25.0, "FAILURE_TOLERANCE_EXCEEDED", "FAILED", 0, 2, 2)]
    [TestCase("8-17", new[] { 'S', 'F', 'S' }, null, 3, null, "ALL_COMPLETED", "FAILED", 2, 1, 3)]
    [TestCase("8-18", new[] { 'F', 'F', 'S', 'S' }, 1, 3, null, "FAILURE_TOLERANCE_EXCEEDED", "FAILED", 0, 2, 2)]
    [TestCase("8-22", new[] { 'F', 'S', 'S', 'S' }, null, null, 25.0, "ALL_COMPLETED", "FAILED", 3, 1, 4)]
    [TestCase("default fail-fast", new[] { 'S', 'F', 'S' }, null, null, null, "FAILURE_TOLERANCE_EXCEEDED", "FAILED", 1, 1, 2)]
    public async Task Completion_policy(string id, char[] outcomes, int? tolerated, int? minSuccessful, double? pct, string reason, string status, int successes, int failures, int total)
    {
        var branches = outcomes.Select(o => o == 'S' ? Kit.Ok<object?, object?>("ok") : Kit.Fail<object?, object?>()).ToList();
        var completion = new CompletionConfig { ToleratedFailureCount = tolerated, MinSuccessful = minSuccessful, ToleratedFailurePercentage = pct };
        var wf = Workflow.For<object?>()
            .Parallel(id, branches, c => c.MaxConcurrency(1).Completion(completion))
            .Select(Kit.Projection)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);

        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        var json = JsonDocument.Parse(ex.ResultPayload!).RootElement;
        Assert.That(json.GetProperty("completionReason").GetString(), Is.EqualTo(reason));
        Assert.That(json.GetProperty("status").GetString(), Is.EqualTo(status));
        Assert.That(json.GetProperty("successCount").GetInt32(), Is.EqualTo(successes));
        Assert.That(json.GetProperty("failureCount").GetInt32(), Is.EqualTo(failures));
        Assert.That(json.GetProperty("totalCount").GetInt32(), Is.EqualTo(total));
        // Undispatched branches leave no trace; the parent always succeeds.
        Assert.That(ex.Operations.Count(o => o.SubType == OperationSubTypes.ParallelBranch), Is.EqualTo(total));
        Assert.That(ex.Operations.Single(o => o.SubType == OperationSubTypes.Parallel).Status, Is.EqualTo(OperationStatus.Succeeded));
    }

    [Test]
    public async Task Accessors_8_20()
    {
        var wf = Workflow.For<object?>()
            .Parallel("acc", [Kit.Ok<object?, object?>("a"), Kit.Fail<object?, object?>(), Kit.Ok<object?, object?>("c")], c => c.MaxConcurrency(1).Completion(CompletionConfig.ToleratingFailures(1)))
            .Select(r => new { hasFailure = r.HasFailure, successCount = r.Succeeded().Count, failureCount = r.Failed().Count, errorCount = r.Errors.Count })
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);
        Assert.That(ex.ResultPayload, Is.EqualTo("{\"hasFailure\":true,\"successCount\":2,\"failureCount\":1,\"errorCount\":1}"));
    }

    [Test]
    public async Task ThrowIfError_fails_the_execution_with_the_branch_error_8_7()
    {
        var wf = Workflow.For<object?>()
            .Parallel("throwing", [Kit.Fail<object?, object?>("branch exploded"), Kit.Ok<object?, object?>("b")], c => c.MaxConcurrency(1).Completion(CompletionConfig.AllSuccessful))
            .Do((r, _) => r.ThrowIfError())
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);
        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(ex.Error?.ErrorMessage, Is.EqualTo("branch exploded"));
        Assert.That(ex.Error?.ErrorType, Is.EqualTo(typeof(InvalidOperationException).FullName));
        Assert.That(Kit.Shape(ex), Is.EqualTo("ContextStarted(Parallel), ContextStarted(ParallelBranch), ContextFailed(ParallelBranch), ContextSucceeded(Parallel)"));
    }

    [Test]
    public void Invalid_max_concurrency_is_rejected_by_build_naming_the_operation_8_19()
    {
        var builder = Workflow.For<object?>()
#pragma warning disable DF0006 // the Build() rule under test
            .Parallel("bad-concurrency", [Kit.Ok<object?, object?>("a"), Kit.Ok<object?, object?>("b")], c => c.MaxConcurrency(0));
#pragma warning restore DF0006
        var ex = Assert.Throws<WorkflowDefinitionException>(() => builder.Build());
        Assert.That(ex!.Message, Does.Contain("Parallel 'bad-concurrency'").And.Contain("MaxConcurrency(0) must be at least 1"));
    }

    [TestCase(0)]
    [TestCase(-3)]
    public void Invalid_map_concurrency_and_batch_size_are_rejected_by_build(int bad)
    {
        var concurrency = Workflow.For<int[]>().Map("items", xs => xs, (x, _) => x, m => m.MaxConcurrency(bad));
        Assert.That(() => concurrency.Build(), Throws.TypeOf<WorkflowDefinitionException>().With.Message.Contains($"Map 'items'").And.Message.Contains($"MaxConcurrency({bad})"));
        var batch = Workflow.For<int[]>().Child("inner", c => c.Map("items", xs => xs, (x, _) => x, m => m.BatchSize(bad)));
        Assert.That(() => batch.Build(), Throws.TypeOf<WorkflowDefinitionException>().With.Message.Contains($"BatchSize({bad})"));
        Assert.That(() => Workflow.For<int[]>().Map("items", xs => xs, (x, _) => x, m => m.MaxConcurrency(1).BatchSize(1)).Build(), Throws.Nothing);
    }

    [Test]
    public async Task Invalid_max_concurrency_built_while_the_handler_runs_fails_the_execution_before_any_operation_8_19()
    {
        // A definition built inside the running handler (as an imperative SDK does) fails there, before anything is checkpointed.
        var wf = Workflow.For<object?>()
#pragma warning disable DF0006 // the Build() rule under test
            .Select(v => Workflow.For<object?>().Parallel("bad-concurrency", [Kit.Ok<object?, object?>("a")], c => c.MaxConcurrency(0)).Build())
#pragma warning restore DF0006
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);
        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(ex.Error?.ErrorType, Is.EqualTo(typeof(WorkflowDefinitionException).FullName));
        Assert.That(Kit.Events(ex), Is.Empty);
    }

    [Test]
    public async Task Flat_nesting_parents_inner_operations_to_the_parallel_8_12()
    {
        var wf = Workflow.For<object?>()
            .Parallel("flat", p => p.Branch(b => b.Then("fa_step", (_, _) => "fa")).Branch(b => b.Then("fb_step", (_, _) => "fb")), c => c.MaxConcurrency(1).Flat())
            .Select(r => r.Batch.Results)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);
        Assert.That(ex.ResultPayload, Is.EqualTo("[\"fa\",\"fb\"]"));
        Assert.That(Kit.Shape(ex), Is.EqualTo("ContextStarted(Parallel), StepStarted(Step), StepSucceeded(Step), StepStarted(Step), StepSucceeded(Step), ContextSucceeded(Parallel)"));
        var parallel = ex.GetOperation("flat");
        Assert.That(ex.GetOperation("fa_step").ParentId, Is.EqualTo(parallel.Id));
        // Ids are still prefixed by the virtual branch id.
        var virtualBranch2 = Durable.Fluent.Interpretation.OperationIds.Create(parallel.Id, 2);
        Assert.That(ex.GetOperation("fb_step").Id, Is.EqualTo(Durable.Fluent.Interpretation.OperationIds.Create(virtualBranch2, 1)));
    }

    [Test]
    public async Task Per_branch_serializer_round_trips_8_15()
    {
        var ser = new WrappingSerDes();
        var wf = Workflow.For<object?>()
            .Parallel("serde", p => p.Branch(b => b.Select(_ => "x"), ser).Branch(b => b.Select(_ => "y"), ser), c => c.MaxConcurrency(1))
            .Select(r => r.Values)
            .Select(t => new[] { t.Item1, t.Item2 })
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);
        Assert.That(ex.Result, Is.EqualTo(new[] { "x", "y" }));
        var payloads = ex.History.Where(e => e.EventType == HistoryEventType.ContextSucceeded && e.SubType == OperationSubTypes.ParallelBranch).Select(e => e.Details.Result?.Payload);
        Assert.That(payloads, Is.EqualTo(new[] { "wrapped:x", "wrapped:y" }));
    }

    [Test]
    public async Task Finished_branches_do_not_rerun_after_a_wait_in_another_branch_8_14()
    {
        var b0Runs = 0;
        var afterWaitRuns = 0;
        var wf = Workflow.For<object?>()
            .Parallel("replay", p => p
                    .Branch(b => b.Then("b0", (_, _) => { Interlocked.Increment(ref b0Runs); return "b0"; }))
                    .Branch(b => b.Wait("w", TimeSpan.FromSeconds(2)).Then("b1", (_, _) => { Interlocked.Increment(ref afterWaitRuns); return "b1"; })),
                c => c.MaxConcurrency(1))
            .Select(r => r.Batch.Results)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);
        Assert.That(ex.ResultPayload, Is.EqualTo("[\"b0\",\"b1\"]"));
        Assert.That(ex.Invocations, Is.EqualTo(2));
        Assert.That(b0Runs, Is.EqualTo(1));
        Assert.That(afterWaitRuns, Is.EqualTo(1));
        Assert.That(ex.History.Count(e => e.EventType == HistoryEventType.ContextStarted && e.SubType == OperationSubTypes.ParallelBranch), Is.EqualTo(2));
    }

    [Test]
    public async Task Nested_parallel_runs_inside_a_branch()
    {
        var wf = Workflow.For<int>()
            .Parallel("outer", p => p
                .Branch("inner", b => b.Parallel("inner_parallel", q => q.Branch(x => x.Then("i1", (v, _) => v + 1)).Branch(x => x.Then("i2", (v, _) => v + 2))).Select(r => r.Values.Item1 + r.Values.Item2))
                .Branch("plain", b => b.Then("p", (v, _) => v * 10)))
            .Select(r => new[] { r.Values.Item1, r.Values.Item2 })
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, 1);
        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(ex.Result, Is.EqualTo(new[] { 5, 10 }));
        var inner = ex.GetOperation("inner_parallel");
        Assert.That(inner.ParentId, Is.EqualTo(ex.GetOperation("inner").Id));
    }

    [Test]
    public async Task Max_concurrency_limits_work_in_flight_and_branches_overlap()
    {
        const int limit = 3;
        var inFlight = 0;
        var maxSeen = 0;
        var reachedLimit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var branches = Enumerable.Range(0, 9).Select(i => (Func<WorkflowBuilder<object?, object?>, WorkflowBuilder<object?, int>>)(b => b.Then($"work_{i}", async (_, _, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxSeen, now);
            if (now == limit)
            {
                reachedLimit.TrySetResult();
            }

            // The first wave waits until `limit` bodies run at once: proves they overlap.
            await reachedLimit.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
            Interlocked.Decrement(ref inFlight);
            return i;
        }))).ToList();
        var wf = Workflow.For<object?>()
            .Parallel("bounded", branches, c => c.MaxConcurrency(limit).Completion(CompletionConfig.AllCompleted))
            .Select(r => r.Results)
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);

        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded), ex.Error?.ErrorMessage);
        Assert.That(ex.Result, Is.EqualTo(Enumerable.Range(0, 9)));
        Assert.That(reachedLimit.Task.IsCompletedSuccessfully, Is.True);
        Assert.That(maxSeen, Is.EqualTo(limit));
    }

    [Test]
    public async Task Suspended_branch_keeps_its_slot()
    {
        // Limit 1: branch 0 suspends on a wait, so branch 1 must not start in the first invocation.
        var wf = Workflow.For<object?>()
            .Parallel("slots", p => p.Branch(b => b.Wait("w", TimeSpan.FromSeconds(5)).Select(_ => "a")).Branch(b => b.Then("b", (_, _) => "b")), c => c.MaxConcurrency(1))
            .Select(r => r.Values)
            .Select(t => new[] { t.Item1, t.Item2 })
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, null);
        Assert.That(ex.Result, Is.EqualTo(new[] { "a", "b" }));
        var events = ex.History.Select(e => e.EventType == HistoryEventType.InvocationCompleted ? "IC" : $"{e.EventType}:{e.Name}").ToList();
        Assert.That(events.IndexOf("StepStarted:b"), Is.GreaterThan(events.IndexOf("IC")));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
