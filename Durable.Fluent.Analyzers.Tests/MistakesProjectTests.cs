using Microsoft.CodeAnalysis;

namespace Durable.Fluent.Analyzers.Tests;

/// <summary>
/// The acceptance check: a project with each mistake compiles with one diagnostic per mistake, on the mistake's line,
/// and the message names the fix; the correct twin of each line has none.
/// </summary>
public class MistakesProjectTests
{
    private const string Mistakes = """
        using System.IO;
        public static class Mistakes
        {
            public static object Clock() => Workflow.For<Order>().Select(o => o with { Id = DateTime.UtcNow.Ticks.ToString() });          // line 4: DF0001
            public static object Key() => Workflow.For<Order>().Then(OperationName.FromInput<Order>(o => $"pay_{Guid.NewGuid()}"), (o, ctx) => o); // line 5: DF0001
            public static object ValueTaskStep() => Workflow.For<Order>().Then("charge", (o, ctx) => Services.ChargeValueAsync(o));     // line 6: DF0002
            public static object Duplicate() => Workflow.For<Order>().Then("a", (o, ctx) => o).Then("a", (o, ctx) => o);            // line 7: DF0004
            public static object Duration() => Workflow.For<Order>().Wait("pause", TimeSpan.FromMilliseconds(100));                    // line 8: DF0005
            public static object Concurrency() => Workflow.For<Order>().Map("m", o => o.Items, (i, n) => i, m => m.MaxConcurrency(0)); // line 9: DF0006
            public static object Unnamed() => Workflow.For<Order>().Then((o, ctx) => o);                                               // line 10: DF0008
            public static readonly Workflow<Order, Order> NotBuilt = Workflow.For<Order>().Then("validate", (o, ctx) => o);            // line 11: DF0003
            public static object OneParameter() => Workflow.For<Order>().Then("charge", o => Services.Charge(o));                      // line 12: DF0009
            public static object MethodGroup() => Workflow.For<Order>().Select(Stamp);                                                 // line 13: DF0001
            private static Order Stamp(Order o) => o with { Id = DateTime.UtcNow.Ticks.ToString() };
        }
        """;

    private const string Corrected = """
        using System.IO;
        public static class Corrected
        {
            public static object Clock() => Workflow.For<Order>().Then("stamp", (o, ctx) => o with { Id = DateTime.UtcNow.Ticks.ToString() });
            public static object Key() => Workflow.For<Order>().Then("key", (o, ctx) => Guid.NewGuid().ToString()).Then(OperationName.From<Order, string>((o, key) => $"pay_{key}"), (k, ctx) => k);
            public static object ValueTaskStep() => Workflow.For<Order>().Then("charge", async (o, ctx, ct) => await Services.ChargeValueAsync(o));
            public static object Duplicate() => Workflow.For<Order>().Then("a", (o, ctx) => o).Then("b", (o, ctx) => o);
            public static object Duration() => Workflow.For<Order>().Wait("pause", TimeSpan.FromSeconds(1));
            public static object Concurrency() => Workflow.For<Order>().Map("m", o => o.Items, (i, n) => i, m => m.MaxConcurrency(1));
            public static object Unnamed() => Workflow.For<Order>().Then("validate", (o, ctx) => o);
            public static readonly Workflow<Order, Order> NotBuilt = Workflow.For<Order>().Then("validate", (o, ctx) => o).Build();
            public static object OneParameter() => Workflow.For<Order>().Then("charge", (o, ctx) => Services.Charge(o));
            public static object MethodGroup() => Workflow.For<Order>().Then("stamp", Stamp);
            private static Order Stamp(Order o, StepContext<Order> ctx) => o with { Id = DateTime.UtcNow.Ticks.ToString() };
        }
        """;

    [Test]
    public async Task Each_mistake_gets_one_diagnostic_on_its_line_with_the_fix_in_the_message()
    {
        var diagnostics = await Verify.DiagnosticsAsync(Mistakes);
        var byLine = diagnostics.Select(d => (Line: d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Id, Message: d.GetMessage())).ToList();
        Assert.That(byLine.Select(d => (d.Line, d.Id)), Is.EqualTo(new[]
        {
            (4, "DF0001"), (5, "DF0001"), (6, "DF0002"), (7, "DF0004"), (8, "DF0005"), (9, "DF0006"), (10, "DF0008"),
            (11, "DF0003"), (12, "DF0009"), (13, "DF0001"),
        }), string.Join("\n", diagnostics));
        Assert.That(byLine.Where(d => d.Id == "DF0001").Select(d => d.Message), Has.All.Contain("Move it into a step"));
        Assert.That(byLine.Single(d => d.Id == "DF0002").Message, Does.Contain("await"));
        Assert.That(byLine.Single(d => d.Id == "DF0004").Message, Does.Contain("distinct name"));
        Assert.That(byLine.Single(d => d.Id == "DF0005").Message, Does.Contain("between 1 second"));
        Assert.That(byLine.Single(d => d.Id == "DF0006").Message, Does.Contain("at least 1"));
        Assert.That(byLine.Single(d => d.Id == "DF0008").Message, Does.Contain("Pass a name"));
        Assert.That(byLine.Single(d => d.Id == "DF0003").Message, Does.Contain("call Build()"));
        Assert.That(byLine.Single(d => d.Id == "DF0009").Message, Does.Contain("(value, ctx) =>"));
    }

    [Test]
    public async Task The_corrected_project_has_no_diagnostics()
        => Assert.That((await Verify.DiagnosticsAsync(Corrected)).Select(d => d.ToString()), Is.Empty);
}
