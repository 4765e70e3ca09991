using Durable.Fluent;
using Durable.Fluent.Serialization;

namespace BestPractices;

// Seed: "Serialization", "Common mistakes" and "Code organization".

/// <summary>Business logic lives in plain methods; the workflow only orchestrates.</summary>
public static class OrderLogic
{
    public static Order ValidateOrder(Order order, StepContext<Order> ctx)
        => order.Items.Length == 0 ? throw new ArgumentException("Order must have items") : order;

    public static Order EnrichOrder(Order order, StepContext<Order> ctx) => order with { Items = [.. order.Items, "gift-wrap"] };
}

/// <summary>Use child contexts for complex workflows: a reusable definition run as "validation_phase".</summary>
public static class ValidationWorkflows
{
    public static readonly Workflow<Order, Order> ValidateAndEnrich =
        Workflow.For<Order>()
            .Then(OrderLogic.ValidateOrder)
            .Then(OrderLogic.EnrichOrder)
            .Build();
}

public static class OrganizedHandler
{
    public static readonly Workflow<Order, string> Definition =
        Workflow.For<Order>()
            .Then("validation_phase", ValidationWorkflows.ValidateAndEnrich)
            .Select(order => $"{order.OrderId}:completed:{order.Items.Length}")
            .Build();
}

/// <summary>
/// "Using context inside its own operations" cannot happen here: a step body has no workflow to call. Nested durable work
/// is a child context (a sub-chain), the right tool the seed recommends.
/// </summary>
public static class NestedWorkInChildContext
{
    public static readonly Workflow<string, string> Definition =
        Workflow.For<string>()
            .Child("block1", c => c
                .Wait(TimeSpan.FromSeconds(1))
                .Then("step2", (s, ctx) => "nested step"))
            .Build();
}

/// <summary>"Modifying mutable objects between steps": each change is a step that returns the new value.</summary>
public static class NoMutationBetweenSteps
{
    public sealed record Counter(int Count);

    public static readonly Workflow<Counter, Counter> Definition =
        Workflow.For<Counter>()
            .Then("increment_1", (c, ctx) => c with { Count = c.Count + 1 })
            .Then("increment_2", (c, ctx) => c with { Count = c.Count + 1 })
            .Build();
}

/// <summary>"Creating too many small steps": compute a + b in one step, not three.</summary>
public static class FewerBiggerSteps
{
    public sealed record Numbers(int A, int B);

    public static readonly Workflow<Numbers, int> Definition =
        Workflow.For<Numbers>().Then("calculate_result", (n, ctx) => n.A + n.B).Build();
}

/// <summary>Use JSON-friendly types; convert the rest, or plug in a custom serializer.</summary>
public static class Serialization
{
    public sealed record ProcessedOrder(string OrderId, double Total, string Timestamp, string[] Items, bool Processed);

    public static readonly Workflow<Order, ProcessedOrder> JsonFriendly =
        Workflow.For<Order>()
            .Then("process_order", (o, ctx) => new ProcessedOrder(o.OrderId, (double)o.Amount, DateTimeOffset.UtcNow.ToString("O"), o.Items, true))
            .Build();

    /// <summary>A custom serializer for a type JSON would not round-trip as wanted.</summary>
    public sealed class MoneySerDes : ISerDes<decimal>
    {
        public string? Serialize(decimal value, SerDesContext context) => value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);

        public decimal Deserialize(string? payload, SerDesContext context) => decimal.Parse(payload ?? "0", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static readonly Workflow<Order, decimal> CustomSerDes =
        Workflow.For<Order>()
            .Then("total", (o, ctx) => o.Amount, step => step.SerializeWith(new MoneySerDes()))
            .Build();
}
