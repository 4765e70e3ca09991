using Durable.Fluent;
using Durable.Fluent.Retries;
using Microsoft.Extensions.Logging;

namespace OrderProcessing;

/// <summary>The order to process: the execution input.</summary>
public sealed record OrderRequest(string OrderId, string CustomerEmail, decimal Amount, IReadOnlyList<string> Items);

/// <summary>A validated order.</summary>
public sealed record ValidOrder(string OrderId, string CustomerEmail, decimal Amount, int ItemCount);

/// <summary>The payment gateway's answer.</summary>
public sealed record Payment(string OrderId, string TransactionId, decimal Amount);

/// <summary>A manager's decision, sent by the approval system when it completes the callback.</summary>
public sealed record Approval(bool Approved, string By);

/// <summary>The workflow's result.</summary>
public sealed record Receipt(string OrderId, string Status, string DecidedBy);

/// <summary>Retry presets grouped in one place, as the seed's "group related configuration" advice shows.</summary>
public static class Retries
{
    /// <summary>Fast retry for transient network issues: 3 attempts, 1 s → 5 s.</summary>
    public static readonly RetryStrategyConfig Fast = new()
    {
        MaxAttempts = 3,
        InitialDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(5),
        BackoffRate = 2.0,
    };

    /// <summary>Slow retry for rate limiting: 5 attempts, 10 s → 60 s.</summary>
    public static readonly RetryStrategyConfig Slow = new()
    {
        MaxAttempts = 5,
        InitialDelay = TimeSpan.FromSeconds(10),
        MaxDelay = TimeSpan.FromSeconds(60),
        BackoffRate = 2.0,
    };
}

/// <summary>The order workflow: one definition, built once, shared by every function that runs it.</summary>
public static class OrderWorkflow
{
    /// <summary>The definition, served as the function <c>order-processor</c> by <c>durable serve --assembly OrderProcessing.dll</c>.</summary>
    [DurableFunction("order-processor")]
    public static readonly Workflow<OrderRequest, Receipt> Definition =
        Workflow.For<OrderRequest>()
            .Then("validate_order", (order, ctx) => Orders.Validate(order))
            .Then("process_payment", (order, ctx, ct) => Payments.ChargeAsync(order, ctx, ct),
                step => step.AtMostOncePerRetry().Retry(Retries.Fast.RetryOn<TimeoutException>()))
            .Wait("payment_confirmation_wait", TimeSpan.FromSeconds(30))
            .WaitForCallback<Approval>("approval_callback",
                submit: (payment, callbackId, ctx, ct) => Approvals.RequestAsync(payment, callbackId, ctx, ct),
                cb => cb.Timeout(TimeSpan.FromHours(1)),
                onTimeout: (timeout, payment) => new Approval(false, "nobody (approval timed out)"))
            .Then("fulfill_order", (approval, ctx) =>
            {
                if (!approval.Approved)
                {
                    return new Receipt(ctx.Input.OrderId, "cancelled", approval.By);
                }

                ctx.Logger.LogInformation("Shipping {Count} items of order {OrderId}", ctx.Input.Items.Count, ctx.Input.OrderId);
                return new Receipt(ctx.Input.OrderId, "shipped", approval.By);
            })
            .Build();
}

/// <summary>Order validation (deterministic business rules).</summary>
public static class Orders
{
    /// <summary>Validates an order.</summary>
    public static ValidOrder Validate(OrderRequest order)
    {
        if (order.Amount <= 0)
        {
            throw new ArgumentException($"Order {order.OrderId} has a non-positive amount.");
        }

        return new ValidOrder(order.OrderId, order.CustomerEmail, order.Amount, order.Items.Count);
    }
}

/// <summary>A stand-in payment gateway.</summary>
public static class Payments
{
    /// <summary>Charges an order. The first attempt times out, to show a durable retry.</summary>
    public static async Task<Payment> ChargeAsync(ValidOrder order, StepContext ctx, CancellationToken ct)
    {
        await Task.Yield();
        ct.ThrowIfCancellationRequested();
        if (ctx.Attempt == 1)
        {
            ctx.Logger.LogWarning("Payment gateway timed out for {OrderId}; the step will be retried durably", order.OrderId);
            throw new TimeoutException("payment gateway timed out");
        }

        return new Payment(order.OrderId, $"txn-{order.OrderId}-{ctx.Attempt}", order.Amount);
    }
}

/// <summary>A stand-in approval system: it receives the callback id and would show the request to a manager.</summary>
public static class Approvals
{
    /// <summary>Hands the callback id to the approval system.</summary>
    public static Task RequestAsync(Payment payment, string callbackId, StepContext ctx, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ctx.Logger.LogInformation("Approval requested for {OrderId} ({Amount}); callback id {CallbackId}", payment.OrderId, payment.Amount, callbackId);
        return Task.CompletedTask;
    }
}
