using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Composition;

public class BranchingTests
{
    [TestCase(10, "big:20")]
    [TestCase(2, "small:3")]
    public async Task If_replays_the_same_arm(int input, string expected)
    {
        var bigRuns = 0;
        var smallRuns = 0;
        var wf = Workflow.For<int>()
            .Then("load", (v, _) => v)
            .If(v => v > 5,
                then: b => b.Wait("cool_down", TimeSpan.FromSeconds(3)).Then("big", (v, _) => { bigRuns++; return $"big:{v * 2}"; }),
                @else: b => b.Wait("short_pause", TimeSpan.FromSeconds(1)).Then("small", (v, _) => { smallRuns++; return $"small:{v + 1}"; }))
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, input);

        Assert.That(ex.Result, Is.EqualTo(expected));
        Assert.That(ex.Invocations, Is.EqualTo(2), "the arm's wait forces a replay");
        Assert.That(bigRuns + smallRuns, Is.EqualTo(1));
        Assert.That(ex.Operations.Any(o => o.Name == (input > 5 ? "small" : "big")), Is.False);
        Assert.That(ex.Operations.Any(o => o.Name is "If" or null && o.Type == OperationType.Context), Is.False, "no operation is recorded for the choice");
    }

    [TestCase("gold", "vip-lounge")]
    [TestCase("silver", "fast-lane")]
    [TestCase("bronze", "standard")]
    public async Task Switch_replays_the_same_arm(string tier, string expected)
    {
        var runs = new Dictionary<string, int>();
        Func<string, string, StepContext<string>, string> Count(string result) => (_, _, _) =>
        {
            lock (runs)
            {
                runs[result] = runs.GetValueOrDefault(result) + 1;
            }

            return result;
        };

        var wf = Workflow.For<string>()
            .Wait("settle", TimeSpan.FromSeconds(1))
            .Switch(t => t, s => s
                .Case("gold", b => b.Then("gold_step", (v, c) => Count("vip-lounge")(v, v, c)).Wait("g", TimeSpan.FromSeconds(1)))
                .Case("silver", b => b.Then("silver_step", (v, c) => Count("fast-lane")(v, v, c)).Wait("s", TimeSpan.FromSeconds(1)))
                .Default(b => b.Then("default_step", (v, c) => Count("standard")(v, v, c)).Wait("d", TimeSpan.FromSeconds(1))))
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, tier);

        Assert.That(ex.Result, Is.EqualTo(expected));
        Assert.That(ex.Invocations, Is.EqualTo(3));
        Assert.That(runs, Is.EqualTo(new Dictionary<string, int> { [expected] = 1 }));
    }

    [Test]
    public void Switch_with_a_duplicate_case_is_rejected()
    {
        Assert.Throws<WorkflowDefinitionException>(() => Workflow.For<int>().Switch<int, int>(v => v, s => s.Case(1, b => b).Case(1, b => b)));
    }

    private sealed record Order(string Id, decimal Amount);

    private static class Shared
    {
        public static readonly Workflow<Order, string> Validate = Workflow.For<Order>()
            .Then("check_amount", (o, _) => o.Amount > 0 ? o : throw new ArgumentException("amount"), s => s.NoRetry())
            .Then("stamp", (o, ctx) => $"{o.Id}:{ctx.Input.Amount}")
            .Build();
    }

    [Test]
    public async Task A_reusable_workflow_runs_as_a_child_of_two_parents()
    {
        var fromOrder = Workflow.For<Order>()
            .Then("validation_phase", Shared.Validate)
            .Select(s => $"A[{s}]")
            .Build();
        var fromText = Workflow.For<string>()
            .Select(t => new Order(t, 5m))
            .Then("validation_phase", Shared.Validate)
            .Then("finish", (s, _) => $"B[{s}]")
            .Build();

        using var runner = new DurableTestRunner();
        var a = await runner.RunAsync(fromOrder, new Order("o-1", 42m));
        var b = await runner.RunAsync(fromText, "o-2");

        Assert.That(a.Result, Is.EqualTo("A[o-1:42]"));
        Assert.That(b.Result, Is.EqualTo("B[o-2:5]"));
        foreach (var ex in new[] { a.Operations, b.Operations })
        {
            var ctx = ex.Single(o => o.Name == "validation_phase");
            Assert.That(ctx.SubType, Is.EqualTo(OperationSubTypes.RunInChildContext));
            Assert.That(ex.Where(o => o.Name is "check_amount" or "stamp").All(o => o.ParentId == ctx.Id), Is.True);
        }
    }

    [Test]
    public void Describe_renders_branches_and_arms()
    {
        var wf = Workflow.For<int>()
            .Parallel("p", p => p.Branch("one", b => b.Then("s1", (v, _) => v)).Branch("two", b => b.Then("s2", (v, _) => v)))
            .Select(r => r.Values.Item1)
            .If(v => v > 0, b => b.Then("pos", (v, _) => v), b => b.Then("neg", (v, _) => -v))
            .Map("m", v => new[] { v }, (x, _) => x)
            .Build();
        var text = wf.Describe();
        Assert.That(text, Does.Contain("Parallel 'p'").And.Contain("branch one:").And.Contain("Step 's2'").And.Contain("then:").And.Contain("Step 'neg'").And.Contain("Map 'm'"));
    }
}
