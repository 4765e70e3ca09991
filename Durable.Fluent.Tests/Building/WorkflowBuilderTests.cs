using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Building;

public class WorkflowBuilderTests
{
    private static int Double(int x, StepContext<int> ctx) => x * 2;

    [Test]
    public void Empty_name_is_rejected_at_build_naming_the_node()
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() => Workflow.For<int>().Then(" ", (x, _) => x).Build());
        Assert.That(ex!.Message, Does.Contain("Step #1"));
    }

    [Test]
    public void Duplicate_names_in_one_context_are_rejected()
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() =>
#pragma warning disable DF0004 // the Build() rule under test
            Workflow.For<int>().Then("a", (x, _) => x).Wait("a", TimeSpan.FromSeconds(1)).Build());
#pragma warning restore DF0004
        Assert.That(ex!.Message, Does.Contain("'a'").And.Contain("#2"));
    }

    [Test]
    public void The_same_name_in_different_contexts_is_allowed()
    {
        Assert.DoesNotThrow(() => Workflow.For<int>()
            .Then("a", (x, _) => x)
            .Child("child", c => c.Then("a", (x, _) => x))
            .Build());
    }

    [TestCase(0)]
    [TestCase(500)]
    [TestCase(1500)]
    public void Invalid_wait_durations_are_rejected(int milliseconds)
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() =>
            Workflow.For<int>().Wait("pause", TimeSpan.FromMilliseconds(milliseconds)).Build());
        Assert.That(ex!.Message, Does.Contain("Wait 'pause'"));
    }

    [Test]
    public void Wait_longer_than_366_days_is_rejected()
    {
#pragma warning disable DF0005 // the Build() rule under test
        var ex = Assert.Throws<WorkflowDefinitionException>(() => Workflow.For<int>().Wait(TimeSpan.FromDays(367)).Build());
#pragma warning restore DF0005
        Assert.That(ex!.Message, Does.Contain("31,622,400"));
    }

    [Test]
    public void A_lambda_step_without_a_name_is_rejected_and_a_method_group_names_itself()
    {
#pragma warning disable DF0008 // the Build() rule under test
        var ex = Assert.Throws<WorkflowDefinitionException>(() => Workflow.For<int>().Then((int x, StepContext<int> _) => x).Build());
#pragma warning restore DF0008
        Assert.That(ex!.Message, Does.Contain("method group"));
        var wf = Workflow.For<int>().Then(Double).Build();
        Assert.That(wf.Describe(), Does.Contain("Step 'Double'"));
    }

    [Test]
    public void Builders_are_immutable_so_one_prefix_can_be_shared()
    {
        var prefix = Workflow.For<int>().Then("validate", (x, _) => x);
        var a = prefix.Then("a", (x, _) => x + 1).Build();
        var b = prefix.Then("b", (x, _) => x + 2).Build();
        Assert.That(a.Describe(), Is.EqualTo("Step 'validate'\nStep 'a'\n"));
        Assert.That(b.Describe(), Is.EqualTo("Step 'validate'\nStep 'b'\n"));
        Assert.That(a.Fingerprint, Is.Not.EqualTo(b.Fingerprint));
    }

    [Test]
    public void Fingerprint_is_stable_for_the_same_shape()
    {
        Workflow<int, int> Make() => Workflow.For<int>().Then("x", (v, _) => v).Wait("w", TimeSpan.FromSeconds(5)).Build();
        var first = Make();
        var second = Make();
        Assert.That(second.Fingerprint, Is.EqualTo(first.Fingerprint));
        Assert.That(first.Fingerprint, Has.Length.EqualTo(16));
    }

    [Test]
    public async Task A_built_workflow_is_reusable_across_executions()
    {
        var wf = Workflow.For<int>().Then("double", Double).Build();
        using var runner = new DurableTestRunner();
        var first = await runner.RunAsync(wf, 2);
        var second = await runner.RunAsync(wf, 21);
        Assert.That(first.Result, Is.EqualTo(4));
        Assert.That(second.Result, Is.EqualTo(42));
    }

    [Test]
    public async Task Computed_names_come_from_the_input()
    {
        var wf = Workflow.For<Order>()
            .Then(OperationName.FromInput<Order>(o => $"charge_{o.Id}"), (o, _) => o.Amount)
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, new Order("o-7", 12));
        Assert.That(execution.GetOperation("charge_o-7").Status, Is.EqualTo(OperationStatus.Succeeded));
    }

    [Test]
    public async Task Async_steps_receive_the_cancellation_token_and_the_typed_input()
    {
        var wf = Workflow.For<Order>()
            .Then("load", async (o, ctx, ct) =>
            {
                await Task.Yield();
                return $"{ctx.Input.Id}:{ct.CanBeCanceled}";
            })
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, new Order("o-1", 1));
        Assert.That(execution.Result, Does.StartWith("o-1:"));
    }

    internal sealed record Order(string Id, decimal Amount);
}

public class MermaidTests
{
    [Test]
    public void The_graph_renders_as_a_mermaid_flowchart_with_subgraphs_for_branches()
    {
        var wf = Workflow.For<int>()
            .Then("validate", (x, _) => x)
            .Parallel("fan_out", p => p
                .Branch("left", b => b.Then("left_step", (x, _) => x))
                .Branch("right", b => b.Wait("pause", TimeSpan.FromSeconds(5)).Select(x => x)))
            .Select(r => r.Values.Item1)
            .If(x => x > 0, then: b => b.Then("positive", (x, _) => x), @else: b => b.Then("negative", (x, _) => -x))
            .Build();

        var mermaid = wf.ToMermaid();
        TestContext.Out.WriteLine(mermaid);
        Assert.That(mermaid, Does.StartWith("flowchart TD\n"));
        Assert.That(mermaid, Does.Contain("[\"Step 'validate'\"]"));
        Assert.That(mermaid, Does.Contain("subgraph").And.Contain("\"branch left\"").And.Contain("\"branch right\""));
        Assert.That(mermaid, Does.Contain("([\"Wait 'pause' (5 s)\"])"));
        Assert.That(mermaid, Does.Contain("\"then\"").And.Contain("\"else\""));
        Assert.That(mermaid, Does.Contain("start --> n1"));
        var lines = mermaid.Split('\n');
        Assert.That(lines.Count(l => l.Trim() == "end"), Is.EqualTo(lines.Count(l => l.TrimStart().StartsWith("subgraph ", StringComparison.Ordinal))), "every subgraph is closed");
    }

    [Test]
    public void An_empty_workflow_renders_start_to_end()
    {
        var mermaid = Workflow.For<int>().Build().ToMermaid();
        Assert.That(mermaid, Does.Contain("start --> done"));
    }
}
