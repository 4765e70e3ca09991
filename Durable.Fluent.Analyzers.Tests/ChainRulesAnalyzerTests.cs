namespace Durable.Fluent.Analyzers.Tests;

/// <summary>DF0004/DF0005/DF0006/DF0008: the Build() rules, at compile time for constant values.</summary>
public class ChainRulesAnalyzerTests
{
    private static Task Run(string chain) => Verify.AnalyzerAsync<ChainRulesAnalyzer>($$"""
        public static class Flows
        {
            public static object Build() => {{chain}};
            private static Order Validate(Order o, StepContext<Order> ctx) => o;
        }
        """);

    [Test]
    public Task A_duplicate_name_in_one_chain_is_flagged_at_the_second_use() => Run("""
        Workflow.For<Order>()
            .Then("charge", (o, ctx) => o)
            .Wait("pause", TimeSpan.FromSeconds(5))
            .Then({|DF0004:"charge"|}, (o, ctx) => o)
        """);

    [Test]
    public Task A_duplicate_across_kinds_of_operation_is_flagged() => Run("""Workflow.Step("load", (Order o, StepContext<Order> ctx) => o).Child({|DF0004:"load"|}, c => c)""");

    [Test]
    public Task The_same_name_in_different_contexts_or_chains_is_not_flagged() => Run("""
        Workflow.For<Order>()
            .Then("charge", (o, ctx) => o)
            .Child("phase", c => c.Then("charge", (o, ctx) => o))
            .If(o => o.Amount > 1m, b => b.Then("review", (o, ctx) => o), b => b.Then("review", (o, ctx) => o))
            .Then(OperationName.FromInput<Order>(o => "charge"), (o, ctx) => o)
        """);

    [TestCase("TimeSpan.FromMilliseconds(500)")]
    [TestCase("TimeSpan.Zero")]
    [TestCase("TimeSpan.FromDays(367)")]
    [TestCase("TimeSpan.FromSeconds(1.5)")]
    [TestCase("new TimeSpan(0, 0, 0)")]
    public Task A_wait_out_of_range_is_flagged(string duration) => Run($"Workflow.For<Order>().Wait(\"pause\", {{|DF0005:{duration}|}})");

    [Test]
    public Task Callback_timeouts_and_step_timeouts_out_of_range_are_flagged() => Run("""
        Workflow.For<Order>()
            .WaitForCallback<Approval>("approve", (o, id, ct) => Task.CompletedTask, cb => cb.Timeout({|DF0005:TimeSpan.FromHours(9000)|}).HeartbeatTimeout({|DF0005:TimeSpan.FromMilliseconds(10)|}))
            .Then("charge", (a, ctx) => a, s => s.Timeout({|DF0005:TimeSpan.Zero|}))
        """);

    [TestCase("TimeSpan.FromSeconds(1)")]
    [TestCase("TimeSpan.FromDays(366)")]
    [TestCase("TimeSpan.FromMinutes(2.5)")]
    [TestCase("new TimeSpan(1, 0, 0)")]
    [TestCase("Delay")]
    public Task Durations_in_range_or_not_constant_are_not_flagged(string duration) => Verify.AnalyzerAsync<ChainRulesAnalyzer>($$"""
        public static class Flows
        {
            private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(10);
            public static object Build() => Workflow.For<Order>().Wait("pause", {{duration}}).Then("charge", (o, ctx) => o, s => s.Timeout(TimeSpan.FromMilliseconds(200)));
        }
        """);

    [Test]
    public Task Max_concurrency_and_batch_size_below_one_are_flagged() => Run("""
        Workflow.For<Order>()
            .Map("items", o => o.Items, (item, i) => item, m => m.MaxConcurrency({|DF0006:0|}).BatchSize({|DF0006:-1|}))
            .Parallel("both", p => p.Branch("a", b => b.Select(_ => 1)), c => c.MaxConcurrency({|DF0006:0|}))
        """);

    [Test]
    public Task Valid_batch_settings_are_not_flagged() => Run("""Workflow.For<Order>().Map("items", o => o.Items, (item, i) => item, m => m.MaxConcurrency(1).BatchSize(10))""");

    [Test]
    public Task A_lambda_step_without_a_name_is_flagged() => Run("Workflow.For<Order>().Then({|DF0008:(o, ctx) => o|})");

    [Test]
    public Task A_method_group_step_without_a_name_is_not_flagged() => Run("Workflow.For<Order>().Then(Validate)");

    [Test]
    public async Task Messages_name_the_operation_and_the_rule()
    {
        var diagnostics = await Verify.DiagnosticsAsync("""
            public static class Flows
            {
                public static object Build() => Workflow.For<Order>()
                    .Then("charge", (o, ctx) => o)
                    .Wait("pause", TimeSpan.FromMilliseconds(500))
                    .Then("charge", (o, ctx) => o)
                    .Map("items", o => o.Items, (item, i) => item, m => m.MaxConcurrency(0));
            }
            """);
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "DF0005", "DF0004", "DF0006" }));
        Assert.That(diagnostics[0].GetMessage(), Does.Contain("Wait 'pause' is 0.5 s").And.Contain("between 1 second and 31,622,400 seconds"));
        Assert.That(diagnostics[1].GetMessage(), Does.Contain("'charge'").And.Contain("line 4").And.Contain("distinct name"));
        Assert.That(diagnostics[2].GetMessage(), Does.Contain("MaxConcurrency(0) must be at least 1"));
    }
}
