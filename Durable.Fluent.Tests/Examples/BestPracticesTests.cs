using BestPractices;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Examples;

/// <summary>The examples/BestPractices workflows behave as the seed's advice says.</summary>
public class BestPracticesTests
{
    private static readonly Order SampleOrder = new("o-1", 42.5m, ["book", "lamp"]);

    [Test]
    public async Task Explicit_error_handling_retries_server_errors_and_returns_client_errors()
    {
        using var runner = new DurableTestRunner();
        var clientError = await runner.RunAsync(ExplicitErrorHandling.Definition, 404);
        var serverError = await runner.RunAsync(ExplicitErrorHandling.Definition, 503);

        Assert.That(clientError.Result!.ClientErrorStatus, Is.EqualTo(404));
        Assert.That(clientError.Invocations, Is.EqualTo(1), "a client error is a result, not a retry");
        Assert.That(serverError.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(serverError.GetOperation("call_external_api").StepDetails!.Attempt, Is.EqualTo(5), "server errors were retried until the preset gave up");
    }

    [Test]
    public async Task Non_deterministic_values_are_recorded_by_steps()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(NonDeterminismInSteps.Definition, "x");
        var recorded = execution.GetOperation("generate_id").StepDetails!.Result;
        Assert.That(execution.ResultPayload, Is.EqualTo(recorded));
    }

    [Test]
    public async Task Method_group_steps_are_named_after_the_method()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(ReusableSteps.Definition, new Dictionary<string, string> { ["name"] = "J", ["email"] = "e" });
        Assert.That(execution.Result, Is.True);
        Assert.That(execution.GetOperation("ValidateInput").Type, Is.EqualTo(OperationType.Step));
    }

    [Test]
    public async Task The_payment_step_is_at_most_once_and_checkpoints_its_start_first()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(ExecutionSemantics.Charge, SampleOrder);
        Assert.That(execution.Result, Is.EqualTo("txn-o-1"));
        Assert.That(runner.CheckpointRequests, Is.EqualTo(2), "START before the body, then SUCCEED");
    }

    [Test]
    public async Task Large_data_stays_out_of_checkpoints()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(SmallCheckpoints.Definition, "input/data.csv");
        Assert.That(execution.GetOperation("process_large_dataset").StepDetails!.Result!.Length, Is.LessThan(64));
    }

    [Test]
    public async Task Batching_100_items_by_10_creates_10_child_contexts()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(BatchedItems.Definition, Enumerable.Range(1, 100).ToArray());
        Assert.That(execution.Result, Is.EqualTo(Enumerable.Range(1, 100).Select(i => i * 2).ToArray()));
        Assert.That(execution.Operations.Count(o => o.SubType == OperationSubTypes.MapIteration), Is.EqualTo(10));
    }

    [Test]
    public async Task Parallel_fetch_returns_typed_results_from_three_branches()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(ParallelFetch.Definition, "u-9");
        Assert.That(execution.Result!.User.UserId, Is.EqualTo("u-9"));
        Assert.That(execution.Result.Orders, Is.EqualTo(new[] { "o-1", "o-2" }));
        Assert.That(execution.Operations.Count(o => o.SubType == OperationSubTypes.ParallelBranch), Is.EqualTo(3));
    }

    [Test]
    public async Task A_reusable_definition_runs_as_the_validation_phase_child_context()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(OrganizedHandler.Definition, SampleOrder);
        var phase = execution.GetOperation("validation_phase");
        Assert.That(phase.SubType, Is.EqualTo(OperationSubTypes.RunInChildContext));
        Assert.That(execution.GetOperation("ValidateOrder").ParentId, Is.EqualTo(phase.Id));
        Assert.That(execution.Result, Is.EqualTo("o-1:completed:3"));
    }

    [Test]
    public async Task Configuration_presets_apply_semantics_and_retries()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(ConfiguredWorkflow.Definition, "EUR");
        Assert.That(execution.Result, Is.EqualTo("charged@EUR:1.0"));
        Assert.That(StepConfigs.Payment.Semantics, Is.EqualTo(StepSemantics.AtMostOncePerRetry));
        Assert.That(RetryConfigs.TransientOnly.IsRetryable(new TimeoutException()), Is.True);
        Assert.That(RetryConfigs.TransientOnly.IsRetryable(new ArgumentException()), Is.False);
    }

    [Test]
    public async Task Each_change_is_a_step_so_replays_see_the_same_value()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(NoMutationBetweenSteps.Definition, new NoMutationBetweenSteps.Counter(0));
        Assert.That(execution.Result!.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task A_custom_serializer_controls_the_checkpointed_text()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(BestPractices.Serialization.CustomSerDes, SampleOrder);
        Assert.That(execution.GetOperation("total").StepDetails!.Result, Is.EqualTo("42.50"));
        Assert.That(execution.Result, Is.EqualTo(42.5m));
    }

    [Test]
    public async Task The_wait_suspends_instead_of_sleeping()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(NecessaryWait.Definition, "d");
        Assert.That(execution.Invocations, Is.EqualTo(2));
        Assert.That(execution.Result, Is.EqualTo("job-d:done"));
    }
}

public class CallbackPracticesTests
{
    [Test]
    public async Task A_timed_out_approval_becomes_an_outcome_not_a_crash()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(ApprovalWorkflows.ExplicitTimeoutHandling, "expense-7");
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo(new ApprovalOutcome("timeout", false)));
        Assert.That(execution.History.Any(e => e.EventType == HistoryEventType.CallbackTimedOut), Is.True);
        Assert.That(runner.Clock.GetUtcNow() - execution.Snapshot.StartTimestamp, Is.EqualTo(TimeSpan.FromMinutes(3)));
    }

    [Test]
    public async Task An_approval_answered_in_time_completes_and_the_approver_got_the_callback_id()
    {
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("approval", CallbackResponse.SucceedWith(new Approval(true, "jane")).After(TimeSpan.FromMinutes(2)));
        var execution = await runner.RunAsync(ApprovalWorkflows.ExplicitTimeoutHandling, "expense-8");
        Assert.That(execution.Result, Is.EqualTo(new ApprovalOutcome("completed", true)));
        Assert.That(ApprovalInbox.Messages.Any(m => m.Request == "expense-8" && m.CallbackId == execution.GetCallbackId("approval")), Is.True);
    }

    [Test]
    public async Task A_rejection_is_handled_with_the_senders_message()
    {
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("approval", CallbackResponse.Fail("Rejected", "over budget").After(TimeSpan.FromSeconds(30)));
        var execution = await runner.RunAsync(ApprovalWorkflows.ExplicitTimeoutHandling, "expense-9");
        Assert.That(execution.Result, Is.EqualTo(new ApprovalOutcome("rejected: over budget", false)));
    }

    [Test]
    public async Task Heartbeats_keep_a_long_approval_alive_and_their_absence_times_it_out_early()
    {
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("manager_approval",
            CallbackResponse.Heartbeat().After(TimeSpan.FromHours(1)),
            CallbackResponse.Heartbeat().After(TimeSpan.FromHours(1)));
        var execution = await runner.RunAsync(ApprovalWorkflows.LongApproval, "vacation");
        Assert.That(execution.Result, Is.EqualTo(new ApprovalOutcome("timeout", false)));
        Assert.That(runner.Clock.GetUtcNow() - execution.Snapshot.StartTimestamp, Is.EqualTo(TimeSpan.FromHours(4)), "two heartbeats, then 2 h of silence, well before the 24 h timeout");
    }
}
