using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using static Durable.Fluent.Tests.Waiting.WaitingTestSupport;

namespace Durable.Fluent.Tests.Waiting;

public class CallbackTests
{
    private static readonly CallbackHandle<Approval> ApprovalCallback = Callback.Declare<Approval>("approval", cb => cb.Timeout(TimeSpan.FromMinutes(3)));

    private static Workflow<Order, string> ApprovalWorkflow(List<string> sentIds) =>
        Workflow.For<Order>()
            .CreateCallback(ApprovalCallback)
            .Then("request_approval", (order, ctx) =>
            {
                sentIds.Add(ctx.CallbackId(ApprovalCallback));
                return order.Id;
            })
            .AwaitCallback(ApprovalCallback)
            .Then("fulfill_order", (approval, ctx) => approval.Approved ? $"shipped {ctx.Input.Id} (approved by {approval.By})" : "rejected")
            .Build();

    [Test]
    public async Task Approval_answered_by_a_responder_declared_up_front()
    {
        var sent = new List<string>();
        using var runner = new DurableTestRunner(new DurableTestRunnerOptions
        {
            CallbackResponders = [new CallbackResponder("approval", CallbackResponse.Succeed("""{"approved":true,"by":"alice"}""").After(TimeSpan.FromSeconds(30)))],
        });
        var start = runner.Clock.GetUtcNow();

        var execution = await runner.RunAsync(ApprovalWorkflow(sent), new Order("o-1", 42m));

        Dump(execution);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo("shipped o-1 (approved by alice)"));
        Assert.That(Sequence(execution), Is.EqualTo(new[]
        {
            "CallbackStarted", "StepStarted", "StepSucceeded", "InvocationCompleted",
            "CallbackSucceeded", "StepStarted", "StepSucceeded", "InvocationCompleted", "ExecutionSucceeded",
        }));
        var started = execution.History.Single(e => e.EventType == HistoryEventType.CallbackStarted);
        Assert.That(sent, Is.EqualTo(new[] { started.Details.CallbackId }), "the step read the id the service returned, and ran once");
        Assert.That(started.Details.Timeout, Is.EqualTo(180));
        Assert.That(execution.History.Single(e => e.EventType == HistoryEventType.CallbackSucceeded).EventTimestamp - start, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public async Task Unhandled_timeout_fails_with_a_message_that_says_how_to_handle_it()
    {
        var cb = Callback.Declare<string>("approval", c => c.Timeout(TimeSpan.FromSeconds(5)));
        var wf = Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");

        Dump(execution);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(Sequence(execution), Is.EqualTo(new[] { "CallbackStarted", "InvocationCompleted", "CallbackTimedOut", "InvocationCompleted", "ExecutionFailed" }));
        var timedOut = execution.History.Single(e => e.EventType == HistoryEventType.CallbackTimedOut);
        Assert.That(timedOut.Details.Error!.Payload.ErrorType, Is.EqualTo("Callback.Timeout"));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo("Callback.Timeout"));
        Assert.That(execution.Error.ErrorMessage, Does.Contain("'approval'").And.Contain("Catch<CallbackTimedOutException>").And.Contain("onTimeout"));
    }

    [Test]
    public async Task Timeout_caught_with_Try_Catch_branches_and_continues()
    {
        var cb = Callback.Declare<string>("approval", c => c.Timeout(TimeSpan.FromSeconds(3)));
        CallbackTimedOutException? seen = null;
        var wf = Workflow.For<string>()
            .CreateCallback(cb)
            .Try(b => b.AwaitCallback(cb), h => h.Catch<CallbackTimedOutException>((ex, _) =>
            {
#pragma warning disable DF0001 // the test records what the fallback saw
                seen = ex;
#pragma warning restore DF0001
                return "timed out";
            }))
            .Wait("cool_down", TimeSpan.FromSeconds(2))
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo("timed out"));
        Assert.That(seen!.Kind, Is.EqualTo(CallbackTimeoutKind.Timeout));
        Assert.That(Sequence(execution), Is.EqualTo(new[]
        {
            "CallbackStarted", "InvocationCompleted", "CallbackTimedOut", "WaitStarted", "InvocationCompleted",
            "WaitSucceeded", "InvocationCompleted", "ExecutionSucceeded",
        }));
    }

    [Test]
    public async Task OnTimeout_overload_turns_a_timeout_into_a_value()
    {
        var cb = Callback.Declare<Approval>("approval", c => c.Timeout(TimeSpan.FromSeconds(60)));
        var wf = Workflow.For<string>()
            .CreateCallback(cb)
            .AwaitCallback(cb, onTimeout: (ex, by) => new Approval(false, $"timeout:{ex.ErrorType}"))
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo(new Approval(false, "timeout:Callback.Timeout")));
    }

    [Test]
    public async Task Heartbeats_keep_a_callback_alive_then_it_times_out_on_heartbeat()
    {
        var cb = Callback.Declare<string>("long_job", c => c.HeartbeatTimeout(TimeSpan.FromSeconds(10)));
        var wf = Workflow.For<string>()
            .CreateCallback(cb)
            .AwaitCallback(cb, onTimeout: (ex, _) => ex.IsHeartbeatTimeout ? "heartbeat lost" : "timeout")
            .Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("long_job", CallbackResponse.Heartbeat().After(TimeSpan.FromSeconds(8)), CallbackResponse.Heartbeat().After(TimeSpan.FromSeconds(8)));
        var start = runner.Clock.GetUtcNow();

        var execution = await runner.RunAsync(wf, "x");

        Dump(execution);
        Assert.That(execution.Result, Is.EqualTo("heartbeat lost"));
        Assert.That(Sequence(execution), Is.EqualTo(new[] { "CallbackStarted", "InvocationCompleted", "CallbackTimedOut", "InvocationCompleted", "ExecutionSucceeded" }));
        var timedOut = execution.History.Single(e => e.EventType == HistoryEventType.CallbackTimedOut);
        Assert.That(timedOut.Details.Error!.Payload.ErrorType, Is.EqualTo("Callback.Heartbeat"));
        Assert.That(timedOut.EventTimestamp - start, Is.EqualTo(TimeSpan.FromSeconds(26)), "heartbeats at 8 s and 16 s; timeout 10 s after the last");
    }

    [Test]
    public async Task Heartbeat_then_success()
    {
        var cb = Callback.Declare<string>("job", c => c.HeartbeatTimeout(TimeSpan.FromSeconds(10)));
        var wf = Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("job", CallbackResponse.Heartbeat().After(TimeSpan.FromSeconds(9)), CallbackResponse.Succeed("\"done\"").After(TimeSpan.FromSeconds(9)));

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo("done"));
        Assert.That(Sequence(execution), Is.EqualTo(new[] { "CallbackStarted", "InvocationCompleted", "CallbackSucceeded", "InvocationCompleted", "ExecutionSucceeded" }));
    }

    [Test]
    public async Task Failure_sent_by_the_outside_system_keeps_its_type_and_message()
    {
        var cb = Callback.Declare<string>("approval");
        var wf = Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("*", CallbackResponse.Fail("RejectedError", "not approved").After(TimeSpan.FromSeconds(1)));

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo("RejectedError"));
        Assert.That(execution.Error.ErrorMessage, Is.EqualTo("not approved"));
    }

    [Test]
    public async Task Test_sends_the_callback_by_name_and_the_runner_resumes()
    {
        var cb = Callback.Declare<Approval>("approval");
        var wf = Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Running));
        execution.SendCallbackHeartbeat("approval");
        await execution.SendCallbackSuccessAsync("approval", """{"approved":true,"by":"bob"}""");

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo(new Approval(true, "bob")));
    }

    [Test]
    public async Task Callback_resolving_during_a_wait_is_returned_after_the_wait_without_rerunning_steps()
    {
        var cb = Callback.Declare<string>("approval");
        var runs = 0;
        var wf = Workflow.For<string>()
            .CreateCallback(cb)
            .Then("notify", (v, ctx) => ++runs)
            .Wait("settle", TimeSpan.FromSeconds(5))
            .AwaitCallback(cb)
            .Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("approval", CallbackResponse.Succeed("\"ok\"").After(TimeSpan.FromSeconds(1)));

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo("ok"));
        Assert.That(runs, Is.EqualTo(1));
        Assert.That(Sequence(execution), Is.EqualTo(new[]
        {
            "CallbackStarted", "StepStarted", "StepSucceeded", "WaitStarted", "InvocationCompleted",
            "CallbackSucceeded", "InvocationCompleted", "WaitSucceeded", "InvocationCompleted", "ExecutionSucceeded",
        }));
    }

    [Test]
    public async Task Custom_serializer_reads_the_payload()
    {
        var cb = Callback.Declare<int>("count", c => c.SerializeWith(new IntFromText()));
        var wf = Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Select(n => n * 2).Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("count", CallbackResponse.Succeed("21"));

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo(42));
    }

    [Test]
    public void Awaiting_a_callback_never_created_fails_clearly()
    {
        var cb = Callback.Declare<string>("never_created");
        var wf = Workflow.For<string>().AwaitCallback(cb).Build();
        using var runner = new DurableTestRunner();

        var execution = runner.RunAsync(wf, "x").GetAwaiter().GetResult();

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Does.Contain("never_created").And.Contain("CreateCallback"));
    }

    private sealed class IntFromText : Serialization.ISerDes<int>
    {
        public string? Serialize(int value, Serialization.SerDesContext context) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public int Deserialize(string? payload, Serialization.SerDesContext context) => int.Parse(payload!, System.Globalization.CultureInfo.InvariantCulture);
    }
}
