namespace Durable.Fluent.Analyzers.Tests;

/// <summary>DF0003: a builder where a built workflow is expected; the code fix appends Build().</summary>
public class MissingBuildAnalyzerTests
{
    [Test]
    public Task A_builder_stored_in_a_workflow_field_is_flagged() => Verify.AnalyzerWithCompilerErrorsAsync<MissingBuildAnalyzer>("""
        public static class Flows
        {
            public static readonly Workflow<Order, Receipt> Definition = {|DF0003:Workflow.For<Order>().Then("charge", (o, ctx) => Services.Charge(o))|};
        }
        """);

    [Test]
    public Task A_builder_returned_as_a_workflow_is_flagged() => Verify.AnalyzerWithCompilerErrorsAsync<MissingBuildAnalyzer>("""
        public static class Flows
        {
            public static Workflow<Order, Order> Make() { var b = Workflow.For<Order>(); return {|DF0003:b|}; }
            public static Workflow<Order, Order> Property => {|DF0003:Workflow.For<Order>()|};
        }
        """);

    [Test]
    public Task Handle_async_on_a_builder_is_flagged() => Verify.AnalyzerWithCompilerErrorsAsync<MissingBuildAnalyzer>("""
        public static class Flows
        {
            public static object Run(Durable.Fluent.Wire.DurableExecutionInvocationInput input)
                => {|DF0003:Workflow.For<Order>().Then("charge", (o, ctx) => Services.Charge(o))|}.HandleAsync(input);
            public static string Draw() => {|DF0003:Workflow.For<Order>()|}.ToMermaid();
        }
        """);

    [Test]
    public Task A_builder_passed_as_a_child_workflow_is_flagged() => Verify.AnalyzerWithCompilerErrorsAsync<MissingBuildAnalyzer>("""
        public static class Flows
        {
            private static readonly WorkflowBuilder<Order, Receipt> Inner = Workflow.For<Order>().Then("charge", (o, ctx) => Services.Charge(o));
            public static object Outer() => Workflow.For<Order>().Then("phase", {|DF0003:Inner|}).Build();
        }
        """);

    [Test]
    public Task Builders_used_as_builders_are_not_flagged() => Verify.AnalyzerAsync<MissingBuildAnalyzer>("""
        public static class Flows
        {
            private static readonly WorkflowBuilder<Order, Order> Prefix = Workflow.For<Order>().Then("validate", (o, ctx) => o);
            public static readonly Workflow<Order, Receipt> Definition = Prefix.Then("charge", (o, ctx) => Services.Charge(o)).Build();
            public static readonly Workflow<Order, Receipt> Parent = Workflow.For<Order>().Then("phase", Definition).Build();
            public static string Draw() => Definition.ToMermaid() + Definition.Describe();
        }
        """);

    [Test]
    public Task The_code_fix_appends_build() => Verify.CodeFixAsync<MissingBuildAnalyzer, AppendBuildCodeFix>(
        """
        public static class Flows
        {
            public static readonly Workflow<Order, Receipt> Definition = {|DF0003:Workflow.For<Order>().Then("charge", (o, ctx) => Services.Charge(o))|};
        }
        """,
        """
        public static class Flows
        {
            public static readonly Workflow<Order, Receipt> Definition = Workflow.For<Order>().Then("charge", (o, ctx) => Services.Charge(o)).Build();
        }
        """,
        compilerErrorsInSource: true);

    [Test]
    public async Task The_message_says_call_build()
    {
        var diagnostics = await Verify.DiagnosticsAsync("""
            public static class Flows
            {
                public static readonly Workflow<Order, Order> Definition = Workflow.For<Order>();
            }
            """);
        Assert.That(diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "CS0029", "DF0003" }), "the compiler's type error, and ours with the fix");
        Assert.That(diagnostics.Single(d => d.Id == "DF0003").GetMessage(), Does.Contain("call Build()").And.Contain("WorkflowBuilder<Order, Order>"));
    }
}
