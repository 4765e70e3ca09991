using Microsoft.CodeAnalysis;

namespace Durable.Fluent.Analyzers.Tests;

/// <summary>
/// DF0003: a builder where a built workflow is expected. The API raises it as the compiler's own error wherever a builder meets
/// a workflow (conversion, workflow members, runner and host entry points, child workflows), so each such mistake is one error;
/// the analyzer covers what the API cannot (a generic method of the user's own code). The code fix appends Build().
/// </summary>
public class MissingBuildAnalyzerTests
{
    private const string Mistakes = """
        using Durable.Fluent.Hosting;
        using Durable.Fluent.Testing;
        public static class Flows
        {
            private static readonly WorkflowBuilder<Order, Receipt> Inner = Workflow.For<Order>().Then("charge", (o, ctx) => Services.Charge(o));
            public static readonly Workflow<Order, Receipt> Field = Workflow.For<Order>().Then("charge", (o, ctx) => Services.Charge(o)); // line 6
            public static Workflow<Order, Receipt> Returned() { var b = Inner; return b; }                                             // line 7
            public static Workflow<Order, Receipt> Property => Inner;                                                                 // line 8
            public static object Handle(Durable.Fluent.Wire.DurableExecutionInvocationInput input) => Inner.HandleAsync(input);      // line 9
            public static string Draw() => Inner.ToMermaid() + "";                                                                   // line 10
            public static object Child() => Workflow.For<Order>().Then("phase", Inner).Build();                                      // line 11
            public static object Test(DurableTestRunner runner, Order o) => runner.RunAsync(Inner, o);                               // line 12
            public static object Host() => LambdaRuntime.RunAsync(Inner);                                                            // line 13
            public static object Replay(string history) => HistoryReplayer.CheckAsync(Inner, history);                               // line 14
            public static object Script(Order o) => InvocationScript.Start(Inner, o);                                                // line 15
            public static void Take(Workflow<Order, Receipt> w) { }
            public static void Pass() => Take(Inner);                                                                                // line 17
        }
        """;

    [Test]
    public async Task Each_builder_used_as_a_workflow_is_one_df0003_error_on_its_line_that_says_call_build()
    {
        var diagnostics = await Verify.DiagnosticsAsync(Mistakes);
        var byLine = diagnostics.Select(d => (Line: d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Id)).ToList();
        Assert.That(byLine, Is.EqualTo(new[] { 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17 }.Select(line => (line, "DF0003"))), string.Join("\n", diagnostics));
        Assert.That(diagnostics.Select(d => d.Severity), Has.All.EqualTo(DiagnosticSeverity.Error));
        Assert.That(diagnostics.Select(d => d.GetMessage()), Has.All.Contain("call Build()"));
    }

    [Test]
    public Task A_builder_passed_to_a_generic_method_of_user_code_is_flagged_by_the_analyzer() => Verify.AnalyzerWithCompilerErrorsAsync<MissingBuildAnalyzer>("""
        public static class Flows
        {
            private static readonly WorkflowBuilder<Order, Receipt> Inner = Workflow.For<Order>().Then("charge", (o, ctx) => Services.Charge(o));
            public static void Take<TIn, TOut>(Workflow<TIn, TOut> w) { }
            public static void Pass() => Take({|DF0003:Inner|});
        }
        """);

    [Test]
    public Task The_analyzer_does_not_repeat_the_compile_error() => Verify.AnalyzerWithCompilerErrorsAsync<MissingBuildAnalyzer>("""
        public static class Flows
        {
            private static readonly WorkflowBuilder<Order, Receipt> Inner = Workflow.For<Order>().Then("charge", (o, ctx) => Services.Charge(o));
            public static readonly Workflow<Order, Receipt> Field = Inner;
            public static Workflow<Order, Receipt> Returned() => Inner;
            public static string Draw() => Inner.Describe();
        }
        """);

    [Test]
    public Task Builders_used_as_builders_are_not_flagged() => Verify.AnalyzerAsync<MissingBuildAnalyzer>("""
        public static class Flows
        {
            private static readonly WorkflowBuilder<Order, Order> Prefix = Workflow.For<Order>().Then("validate", (o, ctx) => o);
            public static readonly Workflow<Order, Receipt> Definition = Prefix.Then("charge", (o, ctx) => Services.Charge(o)).Build();
            public static readonly Workflow<Order, Receipt> Parent = Workflow.For<Order>().Then("phase", Definition).Build();
            public static string Draw() => Definition.ToMermaid() + Definition.Describe() + Definition.Fingerprint;
        }
        """);

    [Test]
    public Task The_code_fix_appends_build_to_a_converted_builder() => Verify.CodeFixAsync<MissingBuildAnalyzer, AppendBuildCodeFix>(
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
        """);

    [Test]
    public Task The_code_fix_appends_build_before_a_workflow_member() => Verify.CodeFixAsync<MissingBuildAnalyzer, AppendBuildCodeFix>(
        """
        public static class Flows
        {
            private static readonly WorkflowBuilder<Order, Order> Inner = Workflow.For<Order>();
            public static string Draw() => {|DF0003:Inner.ToMermaid()|};
        }
        """,
        """
        public static class Flows
        {
            private static readonly WorkflowBuilder<Order, Order> Inner = Workflow.For<Order>();
            public static string Draw() => Inner.Build().ToMermaid();
        }
        """);

    [Test]
    public Task The_code_fix_appends_build_to_a_builder_argument() => Verify.CodeFixAsync<MissingBuildAnalyzer, AppendBuildCodeFix>(
        """
        public static class Flows
        {
            private static readonly WorkflowBuilder<Order, Order> Inner = Workflow.For<Order>();
            public static object Outer() => {|DF0003:Workflow.For<Order>().Then("phase", Inner)|}.Build();
        }
        """,
        """
        public static class Flows
        {
            private static readonly WorkflowBuilder<Order, Order> Inner = Workflow.For<Order>();
            public static object Outer() => Workflow.For<Order>().Then("phase", Inner.Build()).Build();
        }
        """);
}
