using System.Text.Json;
using System.Text.Json.Serialization;
using Durable.Fluent;
using Microsoft.Extensions.DependencyInjection;

namespace AotFunction;

public sealed record Order(string OrderId, string Customer, decimal Amount, string[] Items);

public sealed record Payment(string OrderId, string PaymentId, decimal Charged);

public sealed record Receipt(string OrderId, string PaymentId, string Status, int Items);

/// <summary>The payment system, injected: the definition is static, the gateway comes from the invocation's services.</summary>
public interface IPaymentGateway
{
    Task<string> ChargeAsync(string orderId, decimal amount, CancellationToken cancellationToken);
}

/// <summary>A stand-in gateway (a real one would call the payment provider over HTTP).</summary>
public sealed class DemoPaymentGateway : IPaymentGateway
{
    public Task<string> ChargeAsync(string orderId, decimal amount, CancellationToken cancellationToken)
        => Task.FromResult($"pay-{orderId}-{(int)(amount * 100)}");
}

public static class OrderWorkflow
{
    /// <summary>
    /// Three durable steps. <c>Build(AppJson.Default)</c> (de)serializes every payload through source-generated metadata: no
    /// reflection, so the function runs under Native AOT; a payload type missing from AppJson fails here, at startup.
    /// </summary>
    public static readonly Workflow<Order, Receipt> Definition =
        Workflow.For<Order>()
            .Then("validate_order", (order, ctx) =>
                order.Items.Length == 0 ? throw new ArgumentException($"Order {order.OrderId} has no items.") : order with { Customer = order.Customer.Trim() })
            .Then("charge_payment", async (order, ctx, ct) =>
            {
                var gateway = ctx.Services.GetRequiredService<IPaymentGateway>();
                return new Payment(order.OrderId, await gateway.ChargeAsync(order.OrderId, order.Amount, ct), order.Amount);
            }, step => step.AtMostOncePerRetry())
            .Then("ship_order", (payment, ctx) => new Receipt(payment.OrderId, payment.PaymentId, "shipped", ctx.Input.Items.Length))
            .Build(AppJson.Default);

    /// <summary>The function's services: built once per process, scoped per invocation by the library.</summary>
    public static ServiceProvider CreateServices() => new ServiceCollection()
        .AddSingleton<IPaymentGateway, DemoPaymentGateway>()
        .BuildServiceProvider();
}

/// <summary>Every payload type of the workflow, source-generated. The options give the same JSON as the reflection default.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, IncludeFields = true)]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(Payment))]
[JsonSerializable(typeof(Receipt))]
internal sealed partial class AppJson : JsonSerializerContext;
