using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Waiting;

public class DesignFormTests
{
    [Test]
    public async Task Design_one_call_form_with_an_async_submitter()
    {
        var requests = new List<string>();
        Task<string> RequestAsync(Order order, string callbackId, CancellationToken ct)
        {
            requests.Add($"{order.Id}:{callbackId}");
            return Task.FromResult("queued");
        }

        var wf = Workflow.For<Order>()
            .Callback<Approval>(
                "approval_callback",
                submit: (order, callbackId, ct) => RequestAsync(order, callbackId, ct),
                cb => cb.Timeout(TimeSpan.FromMinutes(3)).HeartbeatTimeout(TimeSpan.FromMinutes(1)))
            .Then("fulfill_order", (a, ctx) => a.Approved ? $"shipped {ctx.Input.Id}" : "held")
            .Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback(
            "approval_callback",
            CallbackResponse.Heartbeat().After(TimeSpan.FromSeconds(50)),
            CallbackResponse.SucceedWith(new Approval(true, "dana")).After(TimeSpan.FromSeconds(50)));

        var execution = await runner.RunAsync(wf, new Order("o-9", 10m));

        Assert.That(execution.Result, Is.EqualTo("shipped o-9"));
        var started = execution.History.Single(e => e.EventType == HistoryEventType.CallbackStarted);
        Assert.That(requests, Is.EqualTo(new[] { $"o-9:{started.Details.CallbackId}" }));
        Assert.That((started.Details.Timeout, started.Details.HeartbeatTimeout), Is.EqualTo(((int?)180, (int?)60)));
        Assert.That(wf.Describe(), Does.Contain("WaitForCallback 'approval_callback'"));
    }

    [Test]
    public async Task Callback_id_is_readable_from_orchestration_code_and_combine_keeps_earlier_results()
    {
        var a = Callback.Declare<string>("a");
        var b = Callback.Declare<string>("b");
        string? seenId = null;
        var wf = Workflow.For<string>()
            .CreateCallback(a)
            .CreateCallback(b)
#pragma warning disable DF0001 // the test records what the orchestration code saw
            .Do((_, ctx) => seenId = ctx.CallbackId(b))
#pragma warning restore DF0001
            .AwaitCallback(a)
            .AwaitCallbackAndCombine(b, (ra, rb) => $"{ra}+{rb}")
            .Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("*", CallbackResponse.Succeed("\"A\"").After(TimeSpan.FromSeconds(3)), CallbackResponse.Succeed("\"B\"").After(TimeSpan.FromSeconds(4)));

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo("A+B"));
        Assert.That(seenId, Is.EqualTo(execution.GetCallbackId("b")));
        var succeeded = execution.History.Where(e => e.EventType == HistoryEventType.CallbackSucceeded).Select(e => e.Name).ToArray();
        Assert.That(succeeded, Is.EqualTo(new[] { "a", "b" }), "actions of one batch are played in order, each after the previous");
        Assert.That(execution.Invocations, Is.EqualTo(3), "each callback completion is its own invocation");
    }
}
