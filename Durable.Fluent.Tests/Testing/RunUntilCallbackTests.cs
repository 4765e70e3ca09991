using Durable.Fluent.Testing;
using Durable.Fluent.Tests.Waiting;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Testing;

/// <summary>Stopping a test run at an open callback, answering it from the test, and moving the virtual clock by hand.</summary>
public class RunUntilCallbackTests
{
    private static Workflow<Order, string> Approval(TimeSpan? timeout = null, TimeSpan? heartbeat = null) =>
        Workflow.For<Order>()
            .Then("reserve", (o, ctx) => o.Id)
            .WaitForCallback<Approval>("approval", submit: (id, callbackId, ct) => Task.CompletedTask, cb =>
            {
                if (timeout is { } t)
                {
                    cb.Timeout(t);
                }

                if (heartbeat is { } h)
                {
                    cb.HeartbeatTimeout(h);
                }
            })
            .Then("ship", (a, ctx) => a.Approved ? $"shipped {ctx.Input.Id} ({a.By})" : "rejected")
            .Build();

    [Test]
    public async Task A_callback_with_a_timeout_is_handed_back_open_instead_of_timing_out()
    {
        using var runner = new DurableTestRunner();
        var start = runner.Clock.GetUtcNow();

        var execution = await runner.RunUntilCallbackAsync(Approval(timeout: TimeSpan.FromMinutes(5)), new Order("o-1", 1m), "approval");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Running));
        Assert.That(execution.GetOperation("approval-callback").Status, Is.EqualTo(OperationStatus.Started));
        Assert.That(runner.Clock.GetUtcNow(), Is.EqualTo(start), "no virtual time passed: the timeout did not fire");

        await execution.SendCallbackSuccessAsync("approval", """{"approved":true,"by":"alice"}""");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo("shipped o-1 (alice)"));
    }

    [Test]
    public async Task A_callback_without_a_timeout_is_handed_back_and_can_be_failed()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunUntilCallbackAsync(Approval(), new Order("o-2", 1m));

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Running));
        await execution.SendCallbackFailureAsync("approval", "Rejected", "not today");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Does.Contain("not today"));
    }

    [Test]
    public async Task Heartbeats_keep_the_callback_open_while_the_test_moves_the_clock()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunUntilCallbackAsync(Approval(timeout: TimeSpan.FromHours(1), heartbeat: TimeSpan.FromSeconds(60)), new Order("o-3", 1m), "approval");

        for (var i = 0; i < 3; i++)
        {
            execution.SendCallbackHeartbeat("approval");
            await execution.AdvanceTimeAsync(TimeSpan.FromSeconds(50));
            Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Running), $"heartbeat {i + 1} restarted the 60 s timer");
        }

        await execution.AdvanceTimeAsync(TimeSpan.FromSeconds(61));

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed), "no heartbeat for 61 s: the heartbeat timeout fired on the virtual clock");
        Assert.That(execution.Error!.ErrorType, Does.Contain("Callback"));
    }

    [Test]
    public async Task Running_until_a_named_callback_passes_earlier_scripted_ones()
    {
        var first = Callback.Declare<Approval>("first_approval", cb => cb.Timeout(TimeSpan.FromMinutes(10)));
        var second = Callback.Declare<Approval>("second_approval", cb => cb.Timeout(TimeSpan.FromMinutes(10)));
        var wf = Workflow.For<Order>()
            .CreateCallback(first).AwaitCallback(first)
            .CreateCallback(second).AwaitCallbackAndCombine(second, (a, b) => $"{a.By}+{b.By}")
            .Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("first_approval", CallbackResponse.SucceedWith(new Approval(true, "ann")).After(TimeSpan.FromMinutes(1)));

        var execution = await runner.RunUntilCallbackAsync(wf, new Order("o-4", 1m), "second_approval");

        Assert.That(execution.GetOperation("first_approval").Status, Is.EqualTo(OperationStatus.Succeeded));
        Assert.That(execution.GetOperation("second_approval").Status, Is.EqualTo(OperationStatus.Started));
        await execution.SendCallbackSuccessAsync("second_approval", """{"approved":true,"by":"ben"}""");
        Assert.That(execution.Result, Is.EqualTo("ann+ben"));
    }

    [Test]
    public async Task An_execution_that_ends_before_any_callback_is_returned_ended()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunUntilCallbackAsync(Workflow.For<int>().Then("double", (n, ctx) => n * 2).Build(), 4);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo(8));
    }
}
