// The example domain the documentation's C# blocks share: the types and services a reader's own application would have
// (orders, payments, approvals...). Only their shapes matter: the blocks are compiled, never run. Kept in the global namespace,
// like a reader's own types; a block that declares a type of the same name shadows it (each block has its own namespace).
using Durable.Fluent;
using Durable.Fluent.Serialization;

#pragma warning disable CA1822, CA1024 // stand-ins: members mirror what the documentation calls

// ---- The order example of README.md and examples/OrderProcessing ----

public sealed record OrderRequest(string OrderId, string CustomerEmail, decimal Amount, IReadOnlyList<string> Items);

public sealed record ValidOrder(string OrderId, string CustomerEmail, decimal Amount, int ItemCount);

public sealed record Payment(string OrderId, string TransactionId, decimal Amount);

public sealed record Approval(bool Approved, string By)
{
    public static Approval Rejected(string reason) => new(false, reason);
}

public sealed record Receipt(string OrderId, string Status, string DecidedBy = "")
{
    public static Receipt Declined(Order order, string reason) => new(order.Id, "declined", reason);

    public static Receipt Cancelled(Order order, string reason) => new(order.Id, "cancelled", reason);
}

public static class Orders
{
    public static ValidOrder Validate(OrderRequest order) => new(order.OrderId, order.CustomerEmail, order.Amount, order.Items.Count);

    public static Order Validate(Order order) => order;

    public static Order[] History(string userId) => [];
}

public static class Payments
{
    public static Task<Payment> ChargeAsync(ValidOrder order, StepContext ctx, CancellationToken ct) => Task.FromResult(new Payment(order.OrderId, "txn-1", order.Amount));

    public static Task<Payment> ChargeAsync(Order order, CancellationToken ct) => Task.FromResult(new Payment(order.Id, "txn-1", order.Amount));

    public static Payment Charge(Order order) => new(order.Id, "txn-1", order.Amount);

    public static void Refund(Payment payment)
    {
    }
}

public static class Approvals
{
    public static Task RequestAsync(Payment payment, string callbackId, StepContext ctx, CancellationToken ct) => Task.CompletedTask;

    public static Task RequestAsync(Payment payment, string callbackId, CancellationToken ct) => Task.CompletedTask;

    public static void Request(Order order, string callbackId)
    {
    }
}

public static class Fulfillment
{
    public static Receipt Ship(OrderRequest order, Approval approval) => new(order.OrderId, approval.Approved ? "shipped" : "cancelled", approval.By);

    public static Receipt Ship(Order order, Approval approval) => new(order.Id, approval.Approved ? "shipped" : "cancelled", approval.By);
}

public static class Shipping
{
    public static Receipt Ship(Order order, Payment payment) => new(order.Id, "shipped");
}

/// <summary>The built order workflow the hosting and testing blocks run.</summary>
public static class OrderWorkflow
{
    public static readonly Workflow<OrderRequest, Receipt> Definition = Workflow.For<OrderRequest>()
        .Then("validate_order", (order, ctx) => Orders.Validate(order))
        .Then("process_payment", (order, ctx, ct) => Payments.ChargeAsync(order, ctx, ct))
        .WaitForCallback<Approval>("approval_callback", submit: (payment, callbackId, ctx, ct) => Approvals.RequestAsync(payment, callbackId, ctx, ct))
        .Then("fulfill_order", (approval, ctx) => Fulfillment.Ship(ctx.Input, approval))
        .Build();
}

/// <summary>A second function, the target of chained invokes.</summary>
public static class BillingWorkflow
{
    public static readonly Workflow<ChargeRequest, Payment> Definition = Workflow.For<ChargeRequest>()
        .Then("charge", (request, ctx) => new Payment(request.OrderId, "txn-1", request.Amount))
        .Build();
}

/// <summary>Retry presets grouped in one place, as in examples/OrderProcessing.</summary>
public static class Retries
{
    public static readonly Durable.Fluent.Retries.RetryStrategyConfig Fast = new() { MaxAttempts = 3, InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(5) };

    public static readonly Durable.Fluent.Retries.RetryStrategyConfig Slow = new() { MaxAttempts = 5, InitialDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(60) };
}

// ---- The shorter order of the fragments ----

public sealed record Item(string Sku, int Quantity);

public sealed record Order(string Id, decimal Amount, Item[] Items)
{
    public string Region { get; init; } = "EU";

    public string TenantId { get; init; } = "tenant-1";

    public Guid Key { get; init; }

    public ChargeRequest Payment => new(Id, Amount);
}

public sealed record ChargeRequest(string OrderId, decimal Amount);

public sealed record Reservation(string OrderId, string ReservationId);

public sealed record Booking(string OrderId, string Courier);

public sealed record Shipment(string OrderId, string Carrier);

public sealed record ItemResult(string Sku, bool Done);

public static class Stock
{
    public static void Release(Reservation reservation)
    {
    }
}

public interface IPaymentGateway
{
    Task<Payment> ChargeAsync(Order order, CancellationToken ct = default);
}

public sealed class StripeGateway : IPaymentGateway
{
    public Task<Payment> ChargeAsync(Order order, CancellationToken ct = default) => Task.FromResult(new Payment(order.Id, "txn-1", order.Amount));
}

public interface IStock
{
    Task<Reservation> ReserveAsync(Payment payment);
}

public interface IMailer
{
    void Send(Reservation reservation);
}

public interface IBus
{
    Task PublishAsync(Reservation reservation, CancellationToken ct);
}

public interface IMetrics
{
    void Count(string name, params (string Key, object? Value)[] tags);
}

// ---- Waiting, parallel, APIs ----

public sealed record JobStatus(string JobId, string State);

public static class Jobs
{
    public static JobStatus GetStatus(string jobId) => new(jobId, "DONE");
}

public sealed record User(string Id, string Name);

public static class Users
{
    public static User Fetch(string id) => new(id, "Jane");
}

public sealed record Preferences(string Theme)
{
    public static Preferences Fetch(string userId) => new("dark");
}

public sealed record Profile(User User, Order[] Orders, Preferences Preferences);

public sealed record ApiResult(int Status, string? Body)
{
    public static ApiResult Ok(string body) => new(200, body);

    public static ApiResult ClientError(int status) => new(status, null);
}

/// <summary>A custom serializer (README "Serialization").</summary>
public sealed class UppercaseSerDes : ISerDes<string>
{
    public string? Serialize(string value, SerDesContext context) => value.ToUpperInvariant();

    public string Deserialize(string? payload, SerDesContext context) => payload ?? "";
}
