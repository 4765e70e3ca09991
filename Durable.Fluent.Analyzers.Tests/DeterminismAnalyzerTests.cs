using Microsoft.CodeAnalysis.Testing;

namespace Durable.Fluent.Analyzers.Tests;

/// <summary>DF0001: orchestration code must be deterministic; step bodies may do anything.</summary>
public class DeterminismAnalyzerTests
{
    private static Task Run(string body) => Verify.AnalyzerAsync<DeterminismAnalyzer>($$"""
        using System.Diagnostics;
        using System.IO;
        public static class Flows
        {
            private static int _counter;
            private static readonly string Prefix = "order";
            public static readonly CallbackHandle<Approval> Approval = Callback.Declare<Approval>("approval");

            public static object Build() => {{body}};
        }
        """);

    // ---- positives: one per kind of orchestration code ----

    [Test]
    public Task Clock_in_select_is_flagged() => Run("Workflow.For<Order>().Select(o => o with { Id = {|DF0001:DateTime.UtcNow|}.ToString() })");

    [Test]
    public Task Console_in_do_is_flagged() => Run("Workflow.For<Order>().Do((o, ctx) => {|DF0001:Console.WriteLine(o)|})");

    [Test]
    public Task Random_in_if_predicate_is_flagged() => Run("Workflow.For<Order>().If(o => {|DF0001:Random.Shared.Next(2)|} == 0, b => b.Then(\"a\", (o, ctx) => o))");

    [Test]
    public Task New_guid_in_switch_selector_is_flagged() => Run("Workflow.For<Order>().Switch(o => {|DF0001:Guid.NewGuid()|}.ToString(), s => s.Case(\"x\", b => b).Default(b => b))");

    [Test]
    public Task Clock_in_computed_name_is_flagged() => Run("Workflow.For<Order>().Then(OperationName.FromInput<Order>(o => $\"charge_{{|DF0001:DateTime.Now|}:yyyyMMdd}\"), (o, ctx) => o)");

    [Test]
    public Task File_io_in_map_item_source_is_flagged() => Run("Workflow.For<Order>().Map(\"lines\", o => {|DF0001:File.ReadAllLines(o.Id)|}, (line, i) => line.Length)");

    [Test]
    public Task Tick_count_in_map_function_is_flagged() => Run("Workflow.For<Order>().Map(\"items\", o => o.Items, (item, i) => item + {|DF0001:Environment.TickCount|})");

    [Test]
    public Task Stopwatch_in_item_name_is_flagged() => Run("Workflow.For<Order>().Map(\"items\", o => o.Items, (item, i) => item, m => m.ItemName((item, i) => $\"item-{{|DF0001:Stopwatch.GetTimestamp()|}}\"))");

    [Test]
    public Task Time_provider_in_wait_strategy_predicate_is_flagged() => Run("Workflow.For<Order>().WaitForCondition(\"poll\", (s, ctx) => s + 1, WaitStrategy.Exponential<int>(s => s < {|DF0001:TimeProvider.System.GetUtcNow()|}.Second), 0)");

    [Test]
    public Task Static_mutable_state_in_combine_is_flagged() => Run("Workflow.For<Order>().CreateCallback(Approval).AwaitCallbackAndCombine(Approval, (o, a) => {|DF0001:_counter|}++)");

    [Test]
    public Task Sleeping_in_on_timeout_is_flagged() => Run("Workflow.For<Order>().CreateCallback(Approval).AwaitCallback(Approval, (e, o) => { {|DF0001:Thread.Sleep(10)|}; return new Approval(false); })");

    [Test]
    public Task Task_delay_in_catch_fallback_is_flagged() => Run("Workflow.For<Order>().Try(t => t.Then(\"charge\", (o, ctx) => Services.Charge(o)), h => h.Catch<StepFailedException>((e, o) => { {|DF0001:Task.Delay(5)|}.Wait(); return new Receipt(\"declined\"); }))");

    [Test]
    public Task Mutating_a_captured_variable_in_select_is_flagged() => Run("new Func<object>(() => { var seen = 0; return Workflow.For<Order>().Select(o => { {|DF0001:seen|} = seen + 1; return o; }); })()");

    [Test]
    public Task Http_in_invoke_payload_is_flagged() => Run("Workflow.For<Order>().Invoke<Receipt>(\"charge\", \"payments\", payload: o => {|DF0001:new System.Net.Http.HttpClient()|})");

    // ---- method groups passed as orchestration code ----

    private static Task RunWithMethods(string methods, string body, params DiagnosticResult[] expected) => Verify.AnalyzerAsync<DeterminismAnalyzer>($$"""
        using System.Diagnostics;
        using System.IO;
        public static class Flows
        {
            private static int _counter;
            {{methods}}

            public static object Build() => {{body}};
        }
        """, expected);

    [Test]
    public Task A_method_group_select_that_makes_a_guid_is_flagged_on_the_method_group() => RunWithMethods(
        "private static Order WithKey(Order o) => o with { Id = {|#0:Guid.NewGuid()|}.ToString() };",
        "Workflow.For<Order>().Select({|#1:WithKey|})",
        new DiagnosticResult(Descriptors.NonDeterministicOrchestrationCode).WithLocation(1).WithLocation(0)
            .WithArguments("A Select function (the method 'WithKey')", "Guid.NewGuid", "produces a random value"));

    [Test]
    public Task A_method_group_predicate_reading_the_clock_is_flagged() => RunWithMethods(
        "private static bool IsLate(Order o) { var now = {|#1:DateTime.UtcNow|}; return now.Hour > 17; }",
        "Workflow.For<Order>().If({|#0:IsLate|}, b => b.Then(\"a\", (o, ctx) => o))",
        new DiagnosticResult(Descriptors.NonDeterministicOrchestrationCode).WithLocation(0).WithLocation(1)
            .WithArguments("An If predicate (the method 'IsLate')", "DateTime.UtcNow", "reads the clock"));

    [Test]
    public Task A_method_group_do_with_static_state_is_flagged() => RunWithMethods(
        "private static void Count(Order o, WorkflowContext<Order> ctx) => {|#1:_counter|}++;",
        "Workflow.For<Order>().Do({|#0:Count|})",
        new DiagnosticResult(Descriptors.NonDeterministicOrchestrationCode).WithLocation(0).WithLocation(1)
            .WithArguments("A Do action (the method 'Count')", "Flows._counter", "uses static mutable state"));

    [Test]
    public Task A_framework_method_group_that_does_io_is_flagged() => RunWithMethods(
        "",
        "Workflow.For<string>().Map(\"lines\", {|#0:File.ReadAllLines|}, (line, i) => line.Length)",
        new DiagnosticResult(Descriptors.NonDeterministicOrchestrationCode).WithLocation(0)
            .WithArguments("A Map item source (the method 'ReadAllLines')", "File.ReadAllLines", "does I/O"));

    [Test]
    public Task Pure_method_groups_and_method_group_step_bodies_are_not_flagged() => RunWithMethods("""
        private static Order Normalize(Order o) { var id = o.Id.Trim(); return o with { Id = id }; }
        private static bool IsLarge(Order o) => o.Amount > 100m;
        private static Order Stamp(Order o, StepContext<Order> ctx) => o with { Id = DateTime.UtcNow.ToString() + Guid.NewGuid() };
        private static WorkflowBuilder<Order, Order> Review(WorkflowBuilder<Order, Order> b) => b.Then("review", (o, ctx) => o with { Id = Guid.NewGuid().ToString() });
        """,
        "Workflow.For<Order>().Select(Normalize).If(IsLarge, Review).Then(Stamp)");

    // ---- negatives: step bodies and pure orchestration code ----

    [Test]
    public Task Step_bodies_may_use_the_clock_random_values_and_io() => Run("""
        Workflow.For<Order>()
            .Then("stamp", (o, ctx) => o with { Id = DateTime.UtcNow.ToString() + Guid.NewGuid() + Random.Shared.Next() })
            .Then("write", async (o, ctx, ct) => { await File.WriteAllTextAsync("x", o.Id, ct); await Task.Delay(1, ct); return o; })
            .Then("log", (o, ctx) => Console.WriteLine(o))
            .Then("count", (o, ctx) => { _counter++; Thread.Sleep(1); return Stopwatch.GetTimestamp(); })
        """);

    [Test]
    public Task Submitters_condition_checks_and_compensations_are_step_bodies() => Run("""
        Workflow.For<Order>()
            .Saga(s => s.Then("charge", (o, ctx) => o).CompensateWith("refund", (o, ctx) => Console.WriteLine(DateTime.UtcNow)))
            .WaitForCallback<Approval>("approve", submit: (o, id, ct) => File.WriteAllTextAsync(id, Guid.NewGuid().ToString(), ct))
            .WaitForCondition("poll", (s, ctx) => s + Environment.TickCount, WaitStrategy.Fixed<int>(s => s < 3, TimeSpan.FromSeconds(5)), 0)
        """);

    [Test]
    public Task Step_bodies_inside_arms_and_children_are_not_orchestration_code() => Run("""
        Workflow.For<Order>()
            .If(o => o.Amount > 100m, b => b.Then("review", (o, ctx) => o with { Id = Guid.NewGuid().ToString() }))
            .Child("phase", c => c.Then("stamp", (o, ctx) => o with { Id = DateTime.Now.ToString() }))
            .Map("items", o => o.Items, item => item.Then("fetch", (i, ctx) => File.ReadAllText(i)))
        """);

    [Test]
    public Task Pure_orchestration_code_is_not_flagged() => Run("""
        Workflow.For<Order>()
            .Select((o, ctx) => o with { Id = Prefix + ctx.Input.Id })
            .Do((o, ctx) => { var local = 0; local++; ctx.Logger.ToString(); })
            .If(o => o.Items.Select(i => i.Length).Sum() > 3, b => b.Then("a", (o, ctx) => o))
            .Then(OperationName.From<Order, Order>((input, o) => $"charge_{o.Id}"), (o, ctx) => o)
            .Map("items", o => o.Items.Where(i => i.Length > 0), (item, i) => item.ToUpperInvariant(), m => m.ItemName((item, i) => $"item-{i}"))
        """);

    [Test]
    public Task Code_outside_durable_fluent_is_not_flagged() => Run("new[] { 1, 2 }.Select(i => DateTime.UtcNow.AddDays(i) + Guid.NewGuid().ToString()).ToList()");
}
