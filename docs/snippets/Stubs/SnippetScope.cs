// The names a fragment may use without declaring them: the variables and helper methods the surrounding code of a real
// application would have (a builder, a runner, the gateway a step calls, the steps passed as method groups). Every fragment
// (members, statements, expression, chain) is compiled as a member of a class derived from SnippetScope.
using Durable.Fluent;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

#pragma warning disable CA1707, CA2211, IDE1006 // lower-case static fields stand in for a fragment's local variables

public abstract class SnippetScope
{
    // ---- variables ----
    protected static WorkflowBuilder<Order, Receipt> builder = Workflow.For<Order>().Then("receipt", (o, ctx) => new Receipt(o.Id, "ok"));
    protected static Workflow<string, string> workflow = Workflow.For<string>().Then("charge", (name, ctx) => $"receipt for {name}").Build();
    protected static DurableTestRunner runner = new();
    protected static OrderRequest order = new("o-1", "a@b.c", 42m, ["book"]);
    protected static DurableExecutionInvocationInput input = new();
    protected static DurableRunOptions options = new();
    protected static IServiceProvider services = null!;
    protected static IServiceProvider testServices = null!;
    protected static IServiceProvider Services = null!;
    protected static IPaymentGateway gateway = new StripeGateway();
    protected static IPaymentGateway payments = new StripeGateway();
    protected static IStock stock = null!;
    protected static IMailer mailer = null!;
    protected static IBus bus = null!;
    protected static IMetrics metrics = null!;
    protected static HttpClient http = new();
    protected static string orderJson = """{"orderId":"o-1","customerEmail":"a@b.c","amount":10,"items":["x"]}""";
    protected static string callbackId = "callback-1";
    protected static string jobId = "job-1";

    // ---- steps and functions passed by name ----
    protected static Order Validate(Order order) => order;

    protected static ValidOrder Validate(OrderRequest order) => Orders.Validate(order);

    protected static ValidOrder Enrich(ValidOrder order) => order;

    protected static Order Enrich(Order order) => order;

    protected static Order Score(Order order) => order;

    protected static Receipt Ship(Order order, Payment payment) => new(order.Id, "shipped");

    protected static Receipt SendReceipt(Reservation reservation, StepContext ctx) => new(reservation.OrderId, "sent");

    protected static Receipt Charge(Order order, StepContext ctx) => new(order.Id, "charged");

    protected static Payment Charge(Reservation reservation, StepContext ctx) => new(reservation.OrderId, "txn-1", 0m);

    protected static Receipt Refund(Caught<ChildContextFailedException, Order> caught, StepContext ctx) => new(caught.Value.Id, "refunded");

    protected static Reservation Reserve(Order order, StepContext ctx) => new(order.Id, "r-1");

    protected static Receipt Book(Payment payment, StepContext ctx) => new(payment.OrderId, "booked");

    protected static Booking Book(ValidOrder order, StepContext ctx) => new(order.OrderId, "courier");

    protected static ItemResult Process(Item item) => new(item.Sku, true);

    protected static Order Review(Order order, StepContext ctx) => order;

    protected static Order Approve(Order order, StepContext ctx) => order;

    protected static Shipment ShipEu(Order order, StepContext ctx) => new(order.Id, "eu");

    protected static Shipment ShipUs(Order order, StepContext ctx) => new(order.Id, "us");

    protected static Shipment ShipWorld(Order order, StepContext ctx) => new(order.Id, "world");

    protected static string CallApi(string url, StepContext ctx) => url;
}
