using Durable.Fluent.Retries;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using static Durable.Fluent.Tests.Waiting.WaitingTestSupport;

namespace Durable.Fluent.Tests.Waiting;

public class WaitForCallbackTests
{
    [Test]
    public async Task Submitter_gets_the_id_and_the_result_becomes_the_value()
    {
        var submitted = new List<(string Value, string Id)>();
        var wf = Workflow.For<string>()
            .WaitForCallback<Approval>("approval", (value, callbackId, ct) =>
            {
                submitted.Add((value, callbackId));
                return Task.CompletedTask;
            }, cb => cb.Timeout(TimeSpan.FromMinutes(3)).HeartbeatTimeout(TimeSpan.FromMinutes(1)))
            .Then("record", (a, ctx) => $"{ctx.Input}:{a.By}")
            .Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("approval", CallbackResponse.SucceedWith(new Approval(true, "carol")).After(TimeSpan.FromSeconds(1)));

        var execution = await runner.RunAsync(wf, "o-7");

        Dump(execution);
        Assert.That(execution.Result, Is.EqualTo("o-7:carol"));
        Assert.That(Sequence(execution), Is.EqualTo(new[]
        {
            "ContextStarted", "CallbackStarted", "StepStarted", "StepSucceeded", "InvocationCompleted",
            "CallbackSucceeded", "ContextSucceeded", "StepStarted", "StepSucceeded", "InvocationCompleted", "ExecutionSucceeded",
        }));
        var ctxOp = execution.GetOperation("approval");
        Assert.That(ctxOp.Type, Is.EqualTo(OperationType.Context));
        Assert.That(ctxOp.SubType, Is.EqualTo(OperationSubTypes.WaitForCallback));
        var callback = execution.GetOperation("approval-callback");
        var submitter = execution.GetOperation("approval-submitter");
        Assert.That(callback.ParentId, Is.EqualTo(ctxOp.Id));
        Assert.That(submitter.ParentId, Is.EqualTo(ctxOp.Id));
        Assert.That(submitter.SubType, Is.EqualTo(OperationSubTypes.Step));
        Assert.That(submitted, Is.EqualTo(new[] { ("o-7", callback.CallbackDetails!.CallbackId!) }), "the submitter ran once, with the callback id");
        Assert.That(execution.GetCallbackId("approval"), Is.EqualTo(callback.CallbackDetails.CallbackId));
    }

    [Test]
    public async Task Failing_submitter_exhausts_its_retries_and_leaves_the_callback_open()
    {
        var attempts = 0;
        var wf = Workflow.For<string>()
            .WaitForCallback<string>("approval", (_, _) =>
            {
                attempts++;
                throw new InvalidOperationException("queue unavailable");
            }, cb => cb.SubmitterRetry(new RetryStrategyConfig { MaxAttempts = 2, InitialDelay = TimeSpan.FromSeconds(1), Jitter = JitterStrategy.None }))
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");

        Dump(execution);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(attempts, Is.EqualTo(2));
        Assert.That(Sequence(execution), Is.EqualTo(new[]
        {
            "ContextStarted", "CallbackStarted", "StepStarted", "StepFailed", "InvocationCompleted",
            "StepStarted", "StepFailed", "ContextFailed", "InvocationCompleted", "ExecutionFailed",
        }));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo(CallbackSubmitterFailedException.ErrorTypeName));
        Assert.That(execution.Error.ErrorMessage, Does.Contain("queue unavailable").And.Contain("2 attempt"));
        Assert.That(execution.GetOperation("approval-callback").Status, Is.EqualTo(OperationStatus.Started), "the callback stays open");
    }

    [Test]
    public async Task Submitter_failure_is_catchable_as_a_typed_error()
    {
        var wf = Workflow.For<string>()
            .Try(
                b => b.WaitForCallback<string>("approval", (_, _) => throw new InvalidOperationException("boom"), cb => cb.SubmitterRetry(RetryPresets.None)),
                h => h.Catch<CallbackSubmitterFailedException>((ex, _) => $"{ex.SubmitterError!.ErrorType}:{ex.SubmitterError.ErrorMessage}"))
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo("System.InvalidOperationException:boom"));
    }

    [Test]
    public async Task Timeout_is_caught_as_CallbackTimedOutException()
    {
        var wf = Workflow.For<string>()
            .Try(
                b => b.WaitForCallback<string>("approval", (_, _) => { }, cb => cb.Timeout(TimeSpan.FromSeconds(3))),
                h => h.Catch<CallbackTimedOutException>((ex, _) => "timed-out-handled"))
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo("timed-out-handled"));
        Assert.That(Sequence(execution), Is.EqualTo(new[]
        {
            "ContextStarted", "CallbackStarted", "StepStarted", "StepSucceeded", "InvocationCompleted",
            "CallbackTimedOut", "ContextFailed", "InvocationCompleted", "ExecutionSucceeded",
        }));
    }

    [Test]
    public async Task OnTimeout_overload_and_callback_failure_pass_through()
    {
        var onTimeout = Workflow.For<string>()
            .WaitForCallback<string>("a", (_, _) => { }, cb => cb.Timeout(TimeSpan.FromSeconds(3)), onTimeout: (ex, v) => $"late:{v}")
            .Build();
        var failing = Workflow.For<string>()
            .Try(
                b => b.WaitForCallback<string>("b", (_, _) => { }),
                h => h.Catch<CallbackFailedException>((ex, _) => $"{ex.ErrorType}/{ex.Message}"))
            .Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("b", CallbackResponse.Fail("RejectedError", "not approved").After(TimeSpan.FromSeconds(1)));

        var first = await runner.RunAsync(onTimeout, "x");
        var second = await runner.RunAsync(failing, "y");

        Assert.That(first.Result, Is.EqualTo("late:x"));
        Assert.That(second.Result, Is.EqualTo("RejectedError/not approved"));
    }

    [Test]
    public async Task Nested_in_a_child_context_and_named_from_the_input()
    {
        var wf = Workflow.For<string>()
            .Child("wrapper", b => b.WaitForCallback<string>(OperationName.FromInput<string>(s => s), (_, _) => { }))
            .Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("*", CallbackResponse.Succeed("\"payload\"").After(TimeSpan.FromSeconds(1)));

        var execution = await runner.RunAsync(wf, "dyn-name");

        Assert.That(execution.Result, Is.EqualTo("payload"));
        var wrapper = execution.GetOperation("wrapper");
        Assert.That(execution.GetOperation("dyn-name").ParentId, Is.EqualTo(wrapper.Id));
    }
}

public class WaitForCallbackReplayTests
{
    [Test]
    public async Task A_failed_wait_for_callback_rethrows_the_same_typed_error_on_replay()
    {
        var seen = new List<string>();
        var wf = Workflow.For<string>()
            .Try(
                b => b.WaitForCallback<string>("approval", (_, _) => { }, cb => cb.Timeout(TimeSpan.FromSeconds(5))),
                h => h.Catch<CallbackTimedOutException>((ex, _) =>
                {
                    seen.Add($"{ex.GetType().Name}|{ex.Kind}|{ex.OperationName}|{ex.Message}");
                    return "handled";
                }))
            .Wait("after", TimeSpan.FromSeconds(1))
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "x");

        Assert.That(execution.Result, Is.EqualTo("handled"));
        Assert.That(seen, Has.Count.EqualTo(2), "first run (from the callback) and replay (from the failed context)");
        Assert.That(seen[1], Is.EqualTo(seen[0]));
        Assert.That(seen[0], Does.StartWith("CallbackTimedOutException|Timeout|approval|Callback 'approval' timed out"));
    }
}
