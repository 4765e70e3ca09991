using System.Text.Json.Nodes;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Interop;

/// <summary>
/// Durable functions written with the official JavaScript durable SDK (<c>@aws/durable-execution-sdk-js</c>, pinned in
/// <c>Interop/js/package.json</c>; the workflows are in <c>Interop/js/workflows.mjs</c>), hosted by <c>tools/js-host</c>
/// and registered with the local durable service by URL. Each test asserts the result and the history as the service
/// recorded it. The clock is real: waits and retries are one second.
/// </summary>
[Category("Interop")]
[NonParallelizable]
public class JsWorkflowTests
{
    private static readonly string[] Exports = ["steps", "retried", "exhausted", "waits", "approval", "mapped", "fanout", "child", "invoker"];
    private InteropStack _stack = null!;
    private LambdaDurableExecutionClient _client = null!;
    private int _names;

    private LocalDurableService Service => _stack.Service;

    private JsHost Host => _stack.Host;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _stack = await InteropStack.StartAsync(Exports);
        _client = Service.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client?.Dispose();
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    private string Start(string function, string input)
        => Service.StartExecution(function, input, $"{function}-{Interlocked.Increment(ref _names)}");

    private async Task<(GetDurableExecutionResponse Execution, IReadOnlyList<HistoryEvent> History)> EndAsync(string arn)
    {
        var ended = await Service.WaitForEndAsync(arn, TimeSpan.FromSeconds(60), CancellationToken.None);
        var history = (await _client.GetDurableExecutionHistoryAsync(arn, includeExecutionData: true, maxItems: 1000)).Events;
        Assert.That(ended, Is.True, $"the execution did not end in 60 s: {Shape(history)}\njs-host:\n{Host.Log}");
        return (await _client.GetDurableExecutionAsync(arn), history);
    }

    private async Task<(string Arn, string CallbackId)> SuspendedOnApprovalAsync()
    {
        var arn = Start("approval", """{"order":7}""");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var history = Service.Engine.GetHistory(arn);
            if (history[^1].EventType == HistoryEventType.InvocationCompleted && history.SingleOrDefault(e => e.EventType == HistoryEventType.CallbackStarted) is { } started)
            {
                return (arn, started.Details.CallbackId!);
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"no callback in 60 s: {Shape(history)}\njs-host:\n{Host.Log}");
            await Task.Delay(50);
        }
    }

    private static string Shape(IEnumerable<HistoryEvent> events) => string.Join(", ", events.Select(Label));

    private static string Label(HistoryEvent e) => e.Name is null || e.EventType is HistoryEventType.ExecutionStarted or HistoryEventType.ExecutionSucceeded or HistoryEventType.ExecutionFailed
        ? e.EventType.ToString()
        : $"{e.EventType}({e.Name})";

    private static int Count(IReadOnlyList<HistoryEvent> history, HistoryEventType type, string? name = null)
        => history.Count(e => e.EventType == type && (name is null || e.Name == name));

    private static int IndexOf(IReadOnlyList<HistoryEvent> history, HistoryEventType type, string? name = null)
        => history.ToList().FindIndex(e => e.EventType == type && (name is null || e.Name == name));

    private static void AssertEventIdsAndTimes(IReadOnlyList<HistoryEvent> history)
    {
        Assert.That(history.Select(e => e.EventId), Is.EqualTo(Enumerable.Range(1, history.Count)));
        Assert.That(history.Select(e => e.EventTimestamp), Is.Ordered);
    }

    [Test]
    public async Task Steps_run_in_one_invocation_and_each_is_checkpointed()
    {
        var (execution, history) = await EndAsync(Start("steps", """{"value":20}"""));

        Assert.That((execution.Status, execution.Result), Is.EqualTo((ExecutionStatus.Succeeded, """{"a":21,"b":42}""")));
        Assert.That(Shape(history), Is.EqualTo(
            "ExecutionStarted, StepStarted(add-one), StepSucceeded(add-one), StepStarted(double), StepSucceeded(double), InvocationCompleted, ExecutionSucceeded"));
        Assert.That(history.Where(e => e.EventType == HistoryEventType.StepSucceeded).Select(e => e.Details.Result!.Payload), Is.EqualTo(new[] { "21", "42" }));
        Assert.That(history.Where(e => e.EventType == HistoryEventType.StepStarted).Select(e => e.SubType), Is.All.EqualTo("Step"));
        AssertEventIdsAndTimes(history);
    }

    [Test]
    public async Task A_retried_step_fails_twice_is_retried_durably_and_succeeds_on_its_third_attempt()
    {
        var (execution, history) = await EndAsync(Start("retried", "{}"));

        Assert.That((execution.Status, execution.Result), Is.EqualTo((ExecutionStatus.Succeeded, """{"attempts":3}""")));
        Assert.That(Shape(history), Is.EqualTo(
            "ExecutionStarted, StepStarted(flaky), StepFailed(flaky), InvocationCompleted, StepStarted(flaky), StepFailed(flaky), InvocationCompleted, "
            + "StepStarted(flaky), StepSucceeded(flaky), InvocationCompleted, ExecutionSucceeded"));
        var failures = history.Where(e => e.EventType == HistoryEventType.StepFailed).ToList();
        Assert.That(failures.Select(e => (e.Details.RetryDetails!.CurrentAttempt, e.Details.RetryDetails.NextAttemptDelaySeconds)), Is.EqualTo(new[] { (1, (int?)1), (2, (int?)1) }));
        Assert.That(failures.Select(e => (e.Details.Error!.Payload!.ErrorType, e.Details.Error.Payload.ErrorMessage)), Is.EqualTo(new[] { ("Error", "attempt 1 failed"), ("Error", "attempt 2 failed") }));
        var retried = history[IndexOf(history, HistoryEventType.StepFailed) + 2];
        Assert.That(retried.EventTimestamp - failures[0].EventTimestamp, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), "the retry waited for its delay");
        Assert.That(history.Single(e => e.EventType == HistoryEventType.StepSucceeded).Details.RetryDetails!.CurrentAttempt, Is.EqualTo(3));
        AssertEventIdsAndTimes(history);
    }

    [Test]
    public async Task A_step_that_exhausts_its_retries_fails_the_execution_with_the_sdks_error()
    {
        var (execution, history) = await EndAsync(Start("exhausted", "{}"));

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That((execution.Error!.ErrorType, execution.Error.ErrorMessage), Is.EqualTo(("StepError", "no luck on attempt 2")));
        Assert.That(Shape(history), Is.EqualTo(
            "ExecutionStarted, StepStarted(always-fails), StepFailed(always-fails), InvocationCompleted, StepStarted(always-fails), StepFailed(always-fails), "
            + "InvocationCompleted, ExecutionFailed"));
        var lastFailure = history.Last(e => e.EventType == HistoryEventType.StepFailed);
        Assert.That((lastFailure.Details.Error!.Payload!.ErrorType, lastFailure.Details.RetryDetails!.NextAttemptDelaySeconds), Is.EqualTo(("RangeError", (int?)null)));
        Assert.That(history[^1].Details.Error!.Payload!.ErrorType, Is.EqualTo("StepError"));
    }

    [Test]
    public async Task A_wait_suspends_the_execution_and_the_service_resumes_it_when_the_second_has_passed()
    {
        var (execution, history) = await EndAsync(Start("waits", """{"name":"n"}"""));

        Assert.That((execution.Status, execution.Result), Is.EqualTo((ExecutionStatus.Succeeded, "\"n-before-after\"")));
        Assert.That(Shape(history), Is.EqualTo(
            "ExecutionStarted, StepStarted(before), StepSucceeded(before), WaitStarted(pause), InvocationCompleted, WaitSucceeded(pause), "
            + "StepStarted(after), StepSucceeded(after), InvocationCompleted, ExecutionSucceeded"));
        var started = history.Single(e => e.EventType == HistoryEventType.WaitStarted);
        var succeeded = history.Single(e => e.EventType == HistoryEventType.WaitSucceeded);
        Assert.That((started.Details.Duration, started.SubType), Is.EqualTo(((int?)1, "Wait")));
        Assert.That(succeeded.EventTimestamp, Is.GreaterThanOrEqualTo(started.Details.ScheduledEndTimestamp!.Value));
        AssertEventIdsAndTimes(history);
    }

    [Test]
    public async Task A_callback_answered_with_success_resumes_the_workflow_with_the_result()
    {
        var (arn, callbackId) = await SuspendedOnApprovalAsync();

        await _client.SendCallbackSuccessAsync(callbackId, """{"by":"ana"}""");
        var (execution, history) = await EndAsync(arn);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        var result = JsonNode.Parse(execution.Result!)!;
        Assert.That(result["approved"]!.GetValue<bool>(), Is.True);
        Assert.That(result["answer"]!.ToJsonString(), Does.Contain("ana"));
        Assert.That(Shape(history), Is.EqualTo(
            "ExecutionStarted, ContextStarted(approval), CallbackStarted, StepStarted, StepSucceeded, InvocationCompleted, CallbackSucceeded, "
            + "ContextSucceeded(approval), InvocationCompleted, ExecutionSucceeded"));
        var context = history.Single(e => e.EventType == HistoryEventType.ContextStarted);
        var callback = history.Single(e => e.EventType == HistoryEventType.CallbackStarted);
        Assert.That((context.SubType, callback.SubType, callback.ParentId), Is.EqualTo(("WaitForCallback", "Callback", context.Id)));
        Assert.That((callback.Details.CallbackId, callback.Details.Timeout), Is.EqualTo((callbackId, (int?)60)));
        Assert.That(history.Single(e => e.EventType == HistoryEventType.CallbackSucceeded).Details.Result!.Payload, Is.EqualTo("""{"by":"ana"}"""));
        AssertEventIdsAndTimes(history);
    }

    [Test]
    public async Task A_callback_answered_with_failure_raises_the_error_in_the_workflow_with_its_message_and_data()
    {
        var (arn, callbackId) = await SuspendedOnApprovalAsync();

        await _client.SendCallbackFailureAsync(callbackId, new ErrorObject { ErrorType = "Rejected", ErrorMessage = "manager said no", ErrorData = """{"by":"boss"}""" });
        var (execution, history) = await EndAsync(arn);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), "the workflow catches the callback's error");
        var error = JsonNode.Parse(execution.Result!)!["error"]!;
        Assert.That((error["message"].Str(), error["data"].Str()), Is.EqualTo(("manager said no", """{"by":"boss"}""")));
        Assert.That(Shape(history), Is.EqualTo(
            "ExecutionStarted, ContextStarted(approval), CallbackStarted, StepStarted, StepSucceeded, InvocationCompleted, CallbackFailed, "
            + "ContextFailed(approval), InvocationCompleted, ExecutionSucceeded"));
        var failed = history.Single(e => e.EventType == HistoryEventType.CallbackFailed).Details.Error!.Payload!;
        Assert.That((failed.ErrorType, failed.ErrorMessage, failed.ErrorData), Is.EqualTo(("Rejected", "manager said no", """{"by":"boss"}""")));
    }

    [Test]
    public async Task A_map_runs_each_item_in_its_own_child_context_two_at_a_time()
    {
        var (execution, history) = await EndAsync(Start("mapped", """{"items":[1,2,3]}"""));

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo("""{"results":[1,4,9],"successCount":3,"completionReason":"ALL_COMPLETED"}"""));
        var map = history.Single(e => e.EventType == HistoryEventType.ContextStarted && e.SubType == "Map");
        Assert.That((map.Name, map.ParentId), Is.EqualTo(("squares", (string?)null)));
        var iterations = history.Where(e => e.EventType == HistoryEventType.ContextStarted && e.SubType == "MapIteration").ToList();
        Assert.That(iterations.Select(e => e.Name), Is.EquivalentTo(new[] { "map-item-0", "map-item-1", "map-item-2" }));
        Assert.That(iterations.Select(e => e.ParentId), Is.All.EqualTo(map.Id));
        foreach (var value in new[] { 1, 2, 3 })
        {
            Assert.That((Count(history, HistoryEventType.StepStarted, $"square-{value}"), Count(history, HistoryEventType.StepSucceeded, $"square-{value}")), Is.EqualTo((1, 1)));
        }

        Assert.That(history.Where(e => e.EventType == HistoryEventType.StepSucceeded).Select(e => e.ParentId), Is.SubsetOf(iterations.Select(e => e.Id)));
        Assert.That(Count(history, HistoryEventType.ContextSucceeded), Is.EqualTo(4));
        Assert.That(IndexOf(history, HistoryEventType.ContextStarted, "map-item-2"), Is.GreaterThan(IndexOf(history, HistoryEventType.ContextSucceeded, "map-item-0")).Or.GreaterThan(IndexOf(history, HistoryEventType.ContextSucceeded, "map-item-1")),
            "maxConcurrency 2: the third item starts once one of the first two has finished");
        Assert.That(history[^3].EventType, Is.EqualTo(HistoryEventType.ContextSucceeded));
        Assert.That(history[^3].Name, Is.EqualTo("squares"));
        Assert.That(Count(history, HistoryEventType.InvocationCompleted), Is.EqualTo(1));
        Assert.That(history.Count, Is.EqualTo(17));
        AssertEventIdsAndTimes(history);
    }

    [Test]
    public async Task Parallel_branches_finish_in_one_invocation_because_a_wait_and_a_retry_that_fall_due_meanwhile_are_polled()
    {
        // The slow branch keeps the invocation busy for 3.5 s; the one-second wait and the one-second retry fall due
        // meanwhile, and the SDK's polling (empty) checkpoints must bring them back completed: issue 10's mid-invocation timers.
        var (execution, history) = await EndAsync(Start("fanout", "{}"));

        Assert.That((execution.Status, execution.Result), Is.EqualTo((ExecutionStatus.Succeeded, """["slow","paused","flaky@2"]""")));
        Assert.That(Count(history, HistoryEventType.InvocationCompleted), Is.EqualTo(1), Shape(history));
        Assert.That(history.Single(e => e.EventType == HistoryEventType.ContextStarted && e.SubType == "Parallel").Name, Is.EqualTo("fan-out"));
        Assert.That(history.Where(e => e.EventType == HistoryEventType.ContextStarted && e.SubType == "ParallelBranch").Select(e => e.Name), Is.EquivalentTo(new[] { "slow", "paused", "flaky" }));
        Assert.That((Count(history, HistoryEventType.StepStarted, "flaky-step"), Count(history, HistoryEventType.StepFailed, "flaky-step"), Count(history, HistoryEventType.StepSucceeded, "flaky-step")), Is.EqualTo((2, 1, 1)));
        Assert.That((Count(history, HistoryEventType.WaitStarted, "short-pause"), Count(history, HistoryEventType.WaitSucceeded, "short-pause")), Is.EqualTo((1, 1)));
        Assert.That((Count(history, HistoryEventType.StepSucceeded, "after-pause"), Count(history, HistoryEventType.StepSucceeded, "slow-step")), Is.EqualTo((1, 1)));
        Assert.That(Count(history, HistoryEventType.ContextSucceeded), Is.EqualTo(4));
        var slowDone = IndexOf(history, HistoryEventType.StepSucceeded, "slow-step");
        Assert.That(IndexOf(history, HistoryEventType.WaitSucceeded, "short-pause"), Is.LessThan(slowDone), "the wait completed while the slow step still ran");
        Assert.That(IndexOf(history, HistoryEventType.StepSucceeded, "flaky-step"), Is.LessThan(slowDone), "the retry ran while the slow step still ran");
        Assert.That(Shape(history.TakeLast(4)), Is.EqualTo("ContextSucceeded(slow), ContextSucceeded(fan-out), InvocationCompleted, ExecutionSucceeded"));
        AssertEventIdsAndTimes(history);
    }

    [Test]
    public async Task A_child_context_groups_its_steps_and_the_parent_continues_with_its_result()
    {
        var (execution, history) = await EndAsync(Start("child", """{"quantity":3,"price":10}"""));

        Assert.That((execution.Status, execution.Result), Is.EqualTo((ExecutionStatus.Succeeded, """{"total":36}""")));
        Assert.That(Shape(history), Is.EqualTo(
            "ExecutionStarted, ContextStarted(pricing), StepStarted(net), StepSucceeded(net), StepStarted(gross), StepSucceeded(gross), "
            + "ContextSucceeded(pricing), StepStarted(receipt), StepSucceeded(receipt), InvocationCompleted, ExecutionSucceeded"));
        var context = history.Single(e => e.EventType == HistoryEventType.ContextStarted);
        Assert.That(context.SubType, Is.EqualTo("RunInChildContext"));
        Assert.That(history.Where(e => e.Name is "net" or "gross").Select(e => e.ParentId), Is.All.EqualTo(context.Id));
        Assert.That(history.Where(e => e.Name == "receipt").Select(e => e.ParentId), Is.All.Null);
        Assert.That(history.Single(e => e.EventType == HistoryEventType.ContextSucceeded).Details.Result!.Payload, Is.EqualTo("36"));
        AssertEventIdsAndTimes(history);
    }

    [Test]
    public async Task A_chained_invoke_runs_another_registered_function_by_url_and_returns_its_result()
    {
        var (execution, history) = await EndAsync(Start("invoker", """{"value":5}"""));

        Assert.That((execution.Status, execution.Result), Is.EqualTo((ExecutionStatus.Succeeded, """{"called":{"a":6,"b":12}}""")));
        var started = history.Single(e => e.EventType == HistoryEventType.ChainedInvokeStarted);
        Assert.That((started.Name, started.Details.FunctionName), Is.EqualTo(("call-steps", "steps:$LATEST")));
        Assert.That(history.Single(e => e.EventType == HistoryEventType.ChainedInvokeSucceeded).Details.Result!.Payload, Is.EqualTo("""{"a":6,"b":12}"""));
        Assert.That(history[0].EventType, Is.EqualTo(HistoryEventType.ExecutionStarted));
        Assert.That(history[^1].EventType, Is.EqualTo(HistoryEventType.ExecutionSucceeded));
        Assert.That(Count(history, HistoryEventType.InvocationCompleted), Is.InRange(1, 2), Shape(history));
        var target = await _client.GetDurableExecutionAsync(started.Details.DurableExecutionArn!);
        Assert.That((target.Status, target.InputPayload, target.Result), Is.EqualTo((ExecutionStatus.Succeeded, """{"value":5}""", """{"a":6,"b":12}""")));
        Assert.That(target.FunctionArn, Does.EndWith(":function:steps"));
    }
}
