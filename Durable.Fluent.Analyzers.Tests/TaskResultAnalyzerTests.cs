namespace Durable.Fluent.Analyzers.Tests;

/// <summary>DF0002: a builder call must not make the current value a Task; the code fix makes the step body async with a token.</summary>
public class TaskResultAnalyzerTests
{
    private static string Source(string chain) => $$"""
        public static class Flows
        {
            public static object Build() => {{chain}};
        }
        """;

    [Test]
    public Task A_value_task_body_is_flagged() => Verify.AnalyzerAsync<TaskResultAnalyzer>(Source("Workflow.For<Order>().Then(\"charge\", {|DF0002:(o, ctx) => Services.ChargeValueAsync(o)|})"));

    [Test]
    public Task An_explicit_task_type_argument_is_flagged() => Verify.AnalyzerAsync<TaskResultAnalyzer>(Source("Workflow.For<Order>().Then<Task<Receipt>>(\"charge\", {|DF0002:(o, ctx) => Services.ChargeAsync(o)|})"));

    [Test]
    public Task An_async_select_is_flagged() => Verify.AnalyzerAsync<TaskResultAnalyzer>(Source("Workflow.For<Order>().Select({|DF0002:async o => await Services.ChargeAsync(o)|})"));

    [Test]
    public Task A_map_function_returning_tasks_is_flagged() => Verify.AnalyzerAsync<TaskResultAnalyzer>(Source("Workflow.For<Order>().Map(\"items\", o => o.Items, {|DF0002:(item, i) => Task.FromResult(item)|})"));

    [Test]
    public Task Only_the_call_that_introduces_the_task_is_flagged() => Verify.AnalyzerAsync<TaskResultAnalyzer>(Source("Workflow.For<Order>().Then(\"charge\", {|DF0002:(o, ctx) => Services.ChargeValueAsync(o)|}).Wait(\"pause\", TimeSpan.FromSeconds(5)).Wait(\"again\", TimeSpan.FromSeconds(5))"));

    [Test]
    public Task Async_bodies_with_and_without_a_token_are_not_flagged() => Verify.AnalyzerAsync<TaskResultAnalyzer>(Source("""
        Workflow.For<Order>()
            .Then("charge", async (o, ctx, ct) => await Services.ChargeAsync(o, ct))
            .Then("again", async (r, ctx) => await Services.ChargeAsync(ctx.Input))
            .Then("sync_task", (r, ctx) => Services.ChargeAsync(ctx.Input))
            .Then("send", (r, ctx, ct) => Services.SendAsync(ctx.Input, ct))
            .Select(r => r.Status)
        """));

    [Test]
    public Task The_code_fix_makes_a_value_task_body_async_with_a_token() => Verify.CodeFixAsync<TaskResultAnalyzer, AwaitInStepCodeFix>(
        Source("Workflow.For<Order>().Then(\"charge\", {|DF0002:(o, ctx) => Services.ChargeValueAsync(o)|})"),
        Source("Workflow.For<Order>().Then(\"charge\", async (o, ctx, ct) => await Services.ChargeValueAsync(o))"));

    [Test]
    public Task The_code_fix_drops_an_explicit_task_type_argument() => Verify.CodeFixAsync<TaskResultAnalyzer, AwaitInStepCodeFix>(
        Source("Workflow.For<Order>().Then<Task<Receipt>>(\"charge\", {|DF0002:(o, ctx) => Services.ChargeAsync(o)|})"),
        Source("Workflow.For<Order>().Then(\"charge\", async (o, ctx, ct) => await Services.ChargeAsync(o))"));

    [Test]
    public async Task The_message_names_the_step_the_task_type_and_the_fix()
    {
        var diagnostics = await Verify.DiagnosticsAsync(Source("Workflow.For<Order>().Then(\"charge\", (o, ctx) => Services.ChargeValueAsync(o))"));
        var d = diagnostics.Single();
        Assert.That(d.Id, Is.EqualTo("DF0002"));
        Assert.That(d.GetMessage(), Does.Contain("Step 'charge'").And.Contain("ValueTask<Receipt>").And.Contain("async (value, ctx, ct) => await"));
    }
}
