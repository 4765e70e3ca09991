using Microsoft.CodeAnalysis;

namespace Durable.Fluent.Analyzers.Tests;

/// <summary>
/// What the compiler says for the step shapes users write. Before the overload changes, a one-parameter lambda, a void body and
/// a non-generic Task body all reported CS0411 naming the child-workflow overload <c>Then&lt;TNext&gt;(OperationName,
/// Workflow&lt;TCur, TNext&gt;, ...)</c>. Now void and Task bodies are steps that pass the value through, async bodies without
/// a token bind the asynchronous overload, and a one-parameter lambda is reported as DF0009 with the fix.
/// </summary>
public class OverloadShapeTests
{
    private static IReadOnlyList<Diagnostic> Errors(string member)
        => Verify.Compile($$"""
            public static class Flows
            {
                {{member}}
            }
            """).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    private static ITypeSymbol? FieldType(string member)
    {
        var compilation = Verify.Compile($$"""
            public static class Flows
            {
                {{member}}
            }
            """);
        Assert.That(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
        return compilation.GetTypeByMetadataName("Flows")!.GetMembers().OfType<IFieldSymbol>().Single().Type;
    }

    [Test]
    public void A_one_parameter_lambda_reports_df0009_with_the_fix_not_the_child_overload()
    {
        var errors = Errors("""public static readonly object W = Workflow.For<Order>().Then("charge", o => Services.Charge(o));""");
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "DF0009" }));
        var message = errors[0].GetMessage();
        Assert.That(message, Does.Contain("(value, ctx) =>").And.Contain("(value, ctx, ct) =>"));
        Assert.That(message, Does.Not.Contain("Workflow<"), "the child-workflow overload is not what the user meant");
    }

    [Test]
    public void An_async_one_parameter_lambda_reports_df0009_too()
    {
        var errors = Errors("""public static readonly object W = Workflow.For<Order>().Then("charge", async o => await Services.ChargeAsync(o));""");
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "DF0009" }));
    }

    [Test]
    public void A_nameless_one_parameter_lambda_names_the_step_delegate_not_the_child_overload()
    {
        var errors = Errors("""public static readonly object W = Workflow.For<Order>().Then(o => Services.Charge(o));""");
        Assert.That(errors.Select(e => e.Id), Is.EqualTo(new[] { "CS1593" }));
        Assert.That(errors[0].GetMessage(), Does.Contain("StepContext<Order>").And.Not.Contain("Workflow<"));
    }

    [Test]
    public void A_void_body_is_a_step_that_passes_the_value_through()
        => Assert.That(FieldType("""public static readonly WorkflowBuilder<Order, Order> W = Workflow.For<Order>().Then("send", (o, ctx) => Services.Send(o));""")!.ToDisplayString(), Is.EqualTo("Durable.Fluent.WorkflowBuilder<Order, Order>"));

    [TestCase("(o, ctx, ct) => Services.SendAsync(o, ct)")]
    [TestCase("(o, ctx) => Services.SendAsync(o)")]
    [TestCase("async (o, ctx) => { await Services.SendAsync(o); }")]
    public void A_non_generic_task_body_is_a_step_that_passes_the_value_through(string body)
        => Assert.That(FieldType($$"""public static readonly WorkflowBuilder<Order, Order> W = Workflow.For<Order>().Then("send", {{body}});""")!.ToDisplayString(), Is.EqualTo("Durable.Fluent.WorkflowBuilder<Order, Order>"));

    [TestCase("async (o, ctx) => await Services.ChargeAsync(o)")]
    [TestCase("(o, ctx) => Services.ChargeAsync(o)")]
    [TestCase("async (o, ctx, ct) => await Services.ChargeAsync(o, ct)")]
    public void An_async_body_yields_its_awaited_result_not_a_task(string body)
        => Assert.That(FieldType($$"""public static readonly object W = Workflow.For<Order>().Then("charge", {{body}}).Select(r => r.Status);""")!.ToDisplayString(), Is.EqualTo("object"));

    [Test]
    public void An_async_body_without_a_token_makes_the_value_the_result_type()
    {
        var compilation = Verify.Compile("""
            public static class Flows
            {
                public static readonly WorkflowBuilder<Order, Receipt> W = Workflow.For<Order>().Then("charge", async (o, ctx) => await Services.ChargeAsync(o));
                public static readonly WorkflowBuilder<Order, Receipt> X = Workflow.Step("charge", (Order o, StepContext<Order> ctx) => Services.ChargeAsync(o));
            }
            """);
        Assert.That(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
    }

    [Test]
    public void Existing_shapes_still_bind_as_before()
    {
        var compilation = Verify.Compile("""
            public static class Flows
            {
                private static Receipt Charge(Order o, StepContext<Order> ctx) => new("ok");
                public static readonly WorkflowBuilder<Order, int> A = Workflow.For<Order>().Then("len", (o, ctx) => o.Id.Length, s => s.AtMostOncePerRetry());
                public static readonly WorkflowBuilder<Order, Receipt> B = Workflow.For<Order>().Then(Charge);
                public static readonly WorkflowBuilder<Order, int> C = Workflow.For<Order>().Then("fail", int (_, _) => throw new InvalidOperationException("x"), s => s.NoRetry());
                public static readonly Workflow<Order, Receipt> Child = Workflow.For<Order>().Then(Charge).Build();
                public static readonly WorkflowBuilder<Order, Receipt> D = Workflow.For<Order>().Then("phase", Child);
                public static readonly WorkflowBuilder<Order, Order> E = Workflow.For<Order>().Saga(s => s.Then("charge", Charge).CompensateWith("refund", async (r, ctx) => await Task.Yield()).Select(r => ctx(r)));
                private static Order ctx(Receipt r) => new(r.Status, 0m, []);
            }
            """);
        Assert.That(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()), Is.Empty);
    }
}
