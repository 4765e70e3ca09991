using Durable.Fluent.Retries;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Composition;

public class SagaTests
{
    private sealed class Ledger
    {
        public List<string> Calls { get; } = new();

        public void Add(string call)
        {
            lock (Calls)
            {
                Calls.Add(call);
            }
        }
    }

    private static Workflow<string, string> OrderSaga(Ledger ledger, bool shipFails, bool refundFailsOnce = false, bool fallback = false) =>
        Workflow.For<string>()
            .Saga(s => s
                .Then("reserve_stock", (order, _) => { ledger.Add("reserve"); return $"res-{order}"; }, c => c.NoRetry())
                .CompensateWith("release_stock", (reservation, _) => ledger.Add($"release {reservation}"))
                .Then("charge_card", (reservation, _) => { ledger.Add("charge"); return $"pay-{reservation}"; }, c => c.NoRetry())
                .CompensateWith("refund_card", (payment, ctx) =>
                {
                    ledger.Add($"refund {payment} #{ctx.Attempt}");
                    if (refundFailsOnce && ctx.Attempt == 1)
                    {
                        throw new TimeoutException("bank slow");
                    }
                }, c => c.Retry(RetryPresets.Fixed(TimeSpan.FromSeconds(2))))
                .Then("book_courier", (payment, _) => { ledger.Add("ship"); return shipFails ? throw new InvalidOperationException("no courier") : $"shipped {payment}"; }, c => c.NoRetry()),
                onCompensated: fallback ? (error, order) => $"cancelled {order}: {error.Message}" : null)
            .Build();

    [Test]
    public async Task A_failure_runs_the_compensations_of_completed_steps_in_reverse_then_rethrows()
    {
        var ledger = new Ledger();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(OrderSaga(ledger, shipFails: true), "o1");

        Assert.That(ledger.Calls, Is.EqualTo(new[] { "reserve", "charge", "ship", "refund pay-res-o1 #1", "release res-o1" }));
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Is.EqualTo("no courier"));
        var names = execution.History.Where(e => e.EventType == HistoryEventType.StepSucceeded).Select(e => e.Name);
        Assert.That(names, Is.EqualTo(new[] { "reserve_stock", "charge_card", "refund_card", "release_stock" }));
    }

    [Test]
    public async Task A_fallback_turns_the_compensated_failure_into_a_result()
    {
        var ledger = new Ledger();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(OrderSaga(ledger, shipFails: true, fallback: true), "o2");
        Assert.That(execution.Result, Is.EqualTo("cancelled o2: no courier"));
    }

    [Test]
    public async Task Success_runs_no_compensation()
    {
        var ledger = new Ledger();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(OrderSaga(ledger, shipFails: false), "o3");
        Assert.That(execution.Result, Is.EqualTo("shipped pay-res-o3"));
        Assert.That(ledger.Calls, Is.EqualTo(new[] { "reserve", "charge", "ship" }));
    }

    [Test]
    public async Task A_compensation_that_is_retried_resumes_after_replay_without_rerunning_finished_work()
    {
        var ledger = new Ledger();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(OrderSaga(ledger, shipFails: true, refundFailsOnce: true), "o4");

        Assert.That(ledger.Calls, Is.EqualTo(new[] { "reserve", "charge", "ship", "refund pay-res-o4 #1", "refund pay-res-o4 #2", "release res-o4" }));
        Assert.That(execution.Invocations, Is.EqualTo(2), "the refund's retry suspended the execution once");
        Assert.That(execution.Error!.ErrorMessage, Is.EqualTo("no courier"));
    }

    [Test]
    public void A_compensation_outside_a_saga_or_inside_concurrent_branches_is_rejected_at_build()
    {
        var outside = Assert.Throws<WorkflowDefinitionException>(() =>
            Workflow.For<int>().Then("charge", (x, _) => x).CompensateWith("refund", (x, _) => { }).Build());
        Assert.That(outside!.Message, Does.Contain("'refund'").And.Contain("Saga"));

        var inBranch = Assert.Throws<WorkflowDefinitionException>(() =>
            Workflow.For<int>()
                .Saga(s => s.Parallel("fan", p => p.Branch(b => b.Then("charge", (x, _) => x).CompensateWith("refund", (x, _) => { }))).Select(r => r.Values))
                .Build());
        Assert.That(inBranch!.Message, Does.Contain("'refund'"));
    }
}
