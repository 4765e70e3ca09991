using Durable.Fluent.Checkpointing;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Testing.Engine;

/// <summary>
/// Timers that fall due while an invocation is still running (a wait ends, a retry delay passes, a callback times out)
/// are applied by the engine and returned in that invocation's next checkpoint or state response, as the service does:
/// the JavaScript SDK polls for them mid-invocation with empty checkpoints (semantics.md §g "Empty checkpoints") and
/// continues in the same invocation instead of suspending.
/// </summary>
public class MidInvocationTimerTests
{
    private VirtualClock _clock = null!;
    private LocalDurableEngine _engine = null!;
    private string _arn = null!;
    private string _token = null!;

    [SetUp]
    public void SetUp()
    {
        _clock = new VirtualClock();
        _engine = new LocalDurableEngine(_clock);
        _arn = _engine.StartExecution(new StartExecutionRequest { InputPayload = "{}" });
        _token = _engine.BeginInvocation(_arn).CheckpointToken!;
    }

    private CheckpointResult Checkpoint(params OperationUpdate[] updates)
    {
        var result = _engine.Checkpoint(_arn, _token, updates);
        _token = result.CheckpointToken!;
        return result;
    }

    private static OperationUpdate StartWait(string id, int seconds)
        => new() { Id = id, Type = OperationType.Wait, SubType = "Wait", Name = id, Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = seconds } };

    private static OperationUpdate Step(string id, OperationAction action, string? payload = null, ErrorObject? error = null, int? delay = null)
        => new()
        {
            Id = id,
            Type = OperationType.Step,
            SubType = "Step",
            Name = id,
            Action = action,
            Payload = payload,
            Error = error,
            StepOptions = delay is { } d ? new StepOptions { NextAttemptDelaySeconds = d } : null,
        };

    [Test]
    public void A_wait_that_ends_during_the_invocation_is_succeeded_in_the_next_empty_checkpoint()
    {
        Checkpoint(StartWait("w1", 2));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(Checkpoint().NewExecutionState.Operations, Is.Empty, "not due yet: nothing changed");

        _clock.Advance(TimeSpan.FromSeconds(1));
        var poll = Checkpoint();

        var wait = poll.NewExecutionState.Operations!.Single();
        Assert.That((wait.Id, wait.Status, wait.EndTimestamp), Is.EqualTo(("w1", OperationStatus.Succeeded, (DateTimeOffset?)_clock.GetUtcNow())));
        Assert.That(_engine.GetHistory(_arn).Select(e => e.EventType), Is.EqualTo(new[]
        {
            HistoryEventType.ExecutionStarted, HistoryEventType.WaitStarted, HistoryEventType.WaitSucceeded,
        }), "the wait completed once, inside the running invocation");
        Assert.That(Checkpoint().NewExecutionState.Operations, Is.Empty, "a change is delivered once");
        Assert.That(_engine.NextOperationTimerDue(_arn), Is.Null, "no timer left to fire after the invocation");
    }

    [Test]
    public void A_retry_delay_that_passes_during_the_invocation_makes_the_step_ready_and_the_same_invocation_retries_it()
    {
        Checkpoint(Step("s1", OperationAction.Start));
        Checkpoint(Step("s1", OperationAction.Retry, error: new ErrorObject { ErrorType = "Error", ErrorMessage = "flaky" }, delay: 1));
        _clock.Advance(TimeSpan.FromSeconds(1));

        var poll = Checkpoint();

        var step = poll.NewExecutionState.Operations!.Single();
        Assert.That((step.Id, step.Status, step.StepDetails!.Attempt, step.StepDetails.NextAttemptTimestamp), Is.EqualTo(("s1", OperationStatus.Ready, 1, (DateTimeOffset?)null)));
        var done = Checkpoint(Step("s1", OperationAction.Start), Step("s1", OperationAction.Succeed, payload: "\"ok\""));
        Assert.That(done.NewExecutionState.Operations!.Single().Status, Is.EqualTo(OperationStatus.Succeeded));
        Assert.That(_engine.GetHistory(_arn).Select(e => e.EventType), Is.EqualTo(new[]
        {
            HistoryEventType.ExecutionStarted, HistoryEventType.StepStarted, HistoryEventType.StepFailed,
            HistoryEventType.StepStarted, HistoryEventType.StepSucceeded,
        }));
    }

    [Test]
    public void A_retry_start_sent_after_the_delay_is_accepted_even_without_a_poll_in_between()
    {
        Checkpoint(Step("s1", OperationAction.Start));
        Checkpoint(Step("s1", OperationAction.Retry, error: new ErrorObject { ErrorMessage = "flaky" }, delay: 3));
        _clock.Advance(TimeSpan.FromSeconds(3));

        var done = Checkpoint(Step("s1", OperationAction.Start), Step("s1", OperationAction.Succeed, payload: "1"));

        Assert.That(done.NewExecutionState.Operations!.Single().Status, Is.EqualTo(OperationStatus.Succeeded));
    }

    [Test]
    public void A_retry_start_before_the_delay_has_passed_is_still_refused_and_changes_nothing()
    {
        Checkpoint(Step("s1", OperationAction.Start));
        Checkpoint(Step("s1", OperationAction.Retry, error: new ErrorObject { ErrorMessage = "flaky" }, delay: 3));
        _clock.Advance(TimeSpan.FromSeconds(2));

        var ex = Assert.Throws<LocalEngineException>(() => _engine.Checkpoint(_arn, _token, [Step("s1", OperationAction.Start)]));

        Assert.That(ex!.StatusCode, Is.EqualTo(400));
        Assert.That(_engine.GetOperations(_arn).Single(o => o.Id == "s1").Status, Is.EqualTo(OperationStatus.Pending));
    }

    [Test]
    public void A_callback_that_times_out_during_the_invocation_is_timed_out_in_the_next_checkpoint()
    {
        Checkpoint(new OperationUpdate
        {
            Id = "cb1",
            Type = OperationType.Callback,
            SubType = "Callback",
            Name = "approval",
            Action = OperationAction.Start,
            CallbackOptions = new CallbackOptions { TimeoutSeconds = 5 },
        });
        _clock.Advance(TimeSpan.FromSeconds(5));

        var callback = Checkpoint().NewExecutionState.Operations!.Single();

        Assert.That((callback.Status, callback.CallbackDetails!.Error!.ErrorType), Is.EqualTo((OperationStatus.TimedOut, "Callback.Timeout")));
        Assert.That(_engine.GetHistory(_arn)[^1].EventType, Is.EqualTo(HistoryEventType.CallbackTimedOut));
    }

    [Test]
    public void GetDurableExecutionState_during_the_invocation_shows_timers_that_fell_due()
    {
        Checkpoint(StartWait("w1", 1), StartWait("w2", 10));
        _clock.Advance(TimeSpan.FromSeconds(1));

        var state = _engine.GetState(_arn, _token, null);

        var byId = state.Operations!.ToDictionary(o => o.Id!, o => o.Status);
        Assert.That((byId["w1"], byId["w2"]), Is.EqualTo((OperationStatus.Succeeded, OperationStatus.Started)));
    }

    [Test]
    public void Several_timers_that_fell_due_are_all_applied_in_due_order()
    {
        Checkpoint(StartWait("late", 3), StartWait("early", 1), StartWait("future", 30));
        _clock.Advance(TimeSpan.FromSeconds(5));

        var changed = Checkpoint().NewExecutionState.Operations!;

        Assert.That(changed.Select(o => (o.Id, o.Status)), Is.EquivalentTo(new[] { ("late", OperationStatus.Succeeded), ("early", OperationStatus.Succeeded) }));
        var succeeded = _engine.GetHistory(_arn).Where(e => e.EventType == HistoryEventType.WaitSucceeded).Select(e => e.Id);
        Assert.That(succeeded, Is.EqualTo(new[] { "early", "late" }));
    }

    [Test]
    public void Updates_seen_mid_invocation_still_re_invoke_a_pending_invocation_so_nothing_can_hang()
    {
        Checkpoint(StartWait("w1", 1));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Checkpoint();

        _engine.EndInvocation(_arn, InvocationOutcome.Returned(new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending }), "r1");

        Assert.That(_engine.HasUpdatesSinceLastInvocation(_arn), Is.True);
        Assert.That(_engine.BeginInvocation(_arn).UpdatedOperationIds, Is.EqualTo(new[] { "w1" }));
    }

    [Test]
    public void A_stale_token_fires_nothing()
    {
        Checkpoint(StartWait("w1", 1));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Throws<LocalEngineException>(() => _engine.Checkpoint(_arn, "stale", []));

        Assert.That(_engine.GetOperations(_arn).Single(o => o.Id == "w1").Status, Is.EqualTo(OperationStatus.Started));
    }
}
