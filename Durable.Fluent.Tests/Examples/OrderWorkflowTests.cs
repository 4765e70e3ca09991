using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using OrderProcessing;

namespace Durable.Fluent.Tests.Examples;

public class OrderWorkflowTests
{
    private static readonly OrderRequest Order = new("o-1", "jane@example.com", 42.5m, ["book", "lamp"]);

    [Test]
    public async Task An_approved_order_is_charged_once_and_shipped()
    {
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("approval_callback", CallbackResponse.SucceedWith(new Approval(true, "manager")).After(TimeSpan.FromMinutes(5)));
        var execution = await runner.RunAsync(OrderWorkflow.Definition, Order);

        Assert.That(execution.Result, Is.EqualTo(new Receipt("o-1", "shipped", "manager")));
        var payment = execution.GetOperation("process_payment");
        Assert.That(payment.StepDetails!.Attempt, Is.EqualTo(2), "the first attempt timed out and was retried durably");
        Assert.That(execution.History.Count(e => e.EventType == HistoryEventType.StepStarted && e.Name == "process_payment"), Is.EqualTo(2));
    }

    [Test]
    public async Task An_order_nobody_approves_within_an_hour_is_cancelled_not_crashed()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(OrderWorkflow.Definition, Order);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result!.Status, Is.EqualTo("cancelled"));
        Assert.That(execution.History.Any(e => e.EventType == HistoryEventType.CallbackTimedOut), Is.True);
    }

    [Test]
    public void The_definition_renders_its_nodes_in_order()
    {
        Assert.That(OrderWorkflow.Definition.Describe(), Does.Contain("Step 'validate_order'").And.Contain("Wait 'payment_confirmation_wait' (30 s)"));
    }
}
