using System.Net;
using System.Text;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;
using OrderProcessing;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// The local durable service end to end, driven over its REST API, with the workflows it hosts checkpointing in-process (the
/// default) and over real HTTP through the SigV4-less client: each test runs on both paths.
/// </summary>
public class LocalDurableServiceTests(bool invokeOverHttp) : BothCheckpointPaths(invokeOverHttp)
{
    private static Workflow<string, string> StepWaitStep(Counter counter) =>
        Workflow.For<string>()
            .Then("first", (s, _) => { Interlocked.Increment(ref counter.First); return s + "-a"; })
            .Wait("pause", TimeSpan.FromSeconds(60))
            .Then("second", (s, _) => { Interlocked.Increment(ref counter.Second); return s + "-b"; })
            .Build();

    [Test]
    public async Task Step_wait_step_runs_end_to_end_on_the_fake_clock()
    {
        var counter = new Counter();
        await using var h = NewHarness(register: s => s.Register("fn", StepWaitStep(counter)));
        var arn = h.Service.StartExecution("fn", "\"x\"", "e1");

        await h.Service.WaitForIdleAsync(arn);
        var suspended = await h.Client.GetDurableExecutionAsync(arn);
        Assert.That(suspended.Status, Is.EqualTo(ExecutionStatus.Running));

        var done = await h.DriveAsync(arn);

        Assert.That(done.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(done.Result, Is.EqualTo("\"x-a-b\""));
        Assert.That((counter.First, counter.Second), Is.EqualTo((1, 1)));
        var history = await h.Client.GetDurableExecutionHistoryAsync(arn, includeExecutionData: true, maxItems: 1000);
        Assert.That(history.Events.Select(e => e.EventType), Is.EqualTo(new[]
        {
            HistoryEventType.ExecutionStarted, HistoryEventType.StepStarted, HistoryEventType.StepSucceeded, HistoryEventType.WaitStarted,
            HistoryEventType.InvocationCompleted, HistoryEventType.WaitSucceeded, HistoryEventType.StepStarted, HistoryEventType.StepSucceeded,
            HistoryEventType.InvocationCompleted, HistoryEventType.ExecutionSucceeded,
        }));
        Assert.That(done.EndTimestamp - done.StartTimestamp, Is.EqualTo(TimeSpan.FromSeconds(60)), "the wait ran on the fake clock");
    }

    [Test]
    public async Task The_order_example_retries_waits_and_succeeds_with_state_paging()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var service = new LocalDurableService(new LocalDurableServiceOptions { TimeProvider = clock, InitialStatePageSize = 1, InvokeOverHttp = InvokeOverHttp })
            .Register("order-processor", OrderWorkflow.Definition)
            .Start();
        using var client = service.CreateClient();
        var json = OrderWorkflow.Definition.Options.JsonOptions;
        var input = JsonSerializer.Serialize(new OrderRequest("o-1", "a@b.c", 10m, ["x"]), json);
        var arn = service.StartExecution("order-processor", input, "order-o-1");
        var approved = false;
        for (var i = 0; i < 10 && (await client.GetDurableExecutionAsync(arn)).Status == ExecutionStatus.Running; i++)
        {
            await service.WaitForIdleAsync(arn);
            var events = await client.GetDurableExecutionHistoryAsync(arn);
            if (!approved && events.Events.FirstOrDefault(e => e.EventType == HistoryEventType.CallbackStarted) is { Details.CallbackId: { } callbackId })
            {
                // The manager approves over the REST API.
                await client.SendCallbackSuccessAsync(callbackId, "{\"approved\":true,\"by\":\"manager\"}");
                approved = true;
                continue;
            }

            if (service.Engine.NextTimerDue(arn) is { } due)
            {
                clock.SetUtcNow(due);
            }
        }

        await service.WaitForIdleAsync(arn);
        var execution = await client.GetDurableExecutionAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), execution.Error?.ErrorMessage);
        Assert.That(JsonSerializer.Deserialize<Receipt>(execution.Result!, json), Is.EqualTo(new Receipt("o-1", "shipped", "manager")));
        var history = await client.GetDurableExecutionHistoryAsync(arn);
        Assert.That(history.Events.Count(e => e.EventType == HistoryEventType.StepFailed), Is.EqualTo(1), "payment attempt 1 failed and was retried durably");
    }

    [Test]
    public async Task Callback_success_over_http_completes_the_execution()
    {
        var handler = new CallbackHandler();
        await using var h = NewHarness(register: s => s.Register("cb", handler.HandleAsync));
        var arn = h.Service.StartExecution("cb", null);
        await h.Service.WaitForIdleAsync(arn);
        Assert.That(handler.CallbackId, Is.Not.Null.And.Length.GreaterThanOrEqualTo(40), "callback ids are 256 random bits");

        await h.Client.SendCallbackSuccessAsync(handler.CallbackId!, "{\"approved\":true}");
        await h.Service.WaitForIdleAsync(arn);

        var execution = await h.Client.GetDurableExecutionAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo("{\"approved\":true}"));
        var history = await h.Client.GetDurableExecutionHistoryAsync(arn);
        Assert.That(history.Events.Select(e => e.EventType), Does.Contain(HistoryEventType.CallbackStarted).And.Contain(HistoryEventType.CallbackSucceeded));
    }

    [Test]
    public async Task Callback_failure_over_http_fails_the_execution_with_the_sent_error()
    {
        var handler = new CallbackHandler();
        await using var h = NewHarness(register: s => s.Register("cb", handler.HandleAsync));
        var arn = h.Service.StartExecution("cb", null);
        await h.Service.WaitForIdleAsync(arn);

        await h.Client.SendCallbackFailureAsync(handler.CallbackId!, new ErrorObject { ErrorType = "Rejected", ErrorMessage = "no" });
        await h.Service.WaitForIdleAsync(arn);

        var execution = await h.Client.GetDurableExecutionAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error, Is.EqualTo(new ErrorObject { ErrorType = "Rejected", ErrorMessage = "no" }));
    }

    [Test]
    public async Task Heartbeats_keep_a_callback_open_and_a_missed_heartbeat_times_it_out()
    {
        var handler = new CallbackHandler { HeartbeatTimeoutSeconds = 10 };
        await using var h = NewHarness(register: s => s.Register("cb", handler.HandleAsync));
        var arn = h.Service.StartExecution("cb", null);
        await h.Service.WaitForIdleAsync(arn);

        h.Clock.Advance(TimeSpan.FromSeconds(8));
        await h.Client.SendCallbackHeartbeatAsync(handler.CallbackId!);
        h.Clock.Advance(TimeSpan.FromSeconds(8)); // 16 s after the start, 8 s after the heartbeat
        await h.Service.WaitForIdleAsync(arn);
        Assert.That((await h.Client.GetDurableExecutionAsync(arn)).Status, Is.EqualTo(ExecutionStatus.Running), "the heartbeat moved the deadline");

        h.Clock.Advance(TimeSpan.FromSeconds(3));
        await h.Service.WaitForIdleAsync(arn);
        var execution = await h.Client.GetDurableExecutionAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo("Callback.Heartbeat"));
    }

    [Test]
    public async Task Start_over_http_then_list_get_and_stop()
    {
        var handler = new CallbackHandler();
        await using var h = NewHarness(register: s => s.Register("cb", handler.HandleAsync));
        using var started = await h.Http.PostAsync("/start-durable-execution", Json("""{"FunctionName":"cb","ExecutionName":"via-http","Input":"{\"a\":1}"}"""));
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var arn = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("DurableExecutionArn").GetString()!;
        await h.Service.WaitForIdleAsync(arn);

        var byFunction = await h.Client.ListDurableExecutionsByFunctionAsync("cb", new ListDurableExecutionsByFunctionQuery { Statuses = [ExecutionStatus.Running] });
        Assert.That(byFunction.DurableExecutions.Select(e => e.DurableExecutionName), Is.EqualTo(new[] { "via-http" }));
        using var all = await h.Http.GetAsync("/2025-12-01/durable-executions");
        Assert.That(await all.Content.ReadAsStringAsync(), Does.Contain("via-http"));
        var get = await h.Client.GetDurableExecutionAsync(arn);
        Assert.That((get.DurableExecutionName, get.InputPayload, get.Status), Is.EqualTo(("via-http", "{\"a\":1}", ExecutionStatus.Running)));

        var stop = await h.Client.StopDurableExecutionAsync(arn, new ErrorObject { ErrorType = "Cancelled", ErrorMessage = "by test" });
        Assert.That(stop.StopTimestamp, Is.EqualTo(h.Clock.GetUtcNow()).Within(TimeSpan.FromMilliseconds(1)));
        var stopped = await h.Client.GetDurableExecutionAsync(arn);
        Assert.That(stopped.Status, Is.EqualTo(ExecutionStatus.Stopped));
        var history = await h.Client.GetDurableExecutionHistoryAsync(arn, reverseOrder: true, maxItems: 1);
        Assert.That(history.Events.Single().EventType, Is.EqualTo(HistoryEventType.ExecutionStopped));
        Assert.That(history.NextMarker, Is.Not.Null, "history pages");
        using var health = await h.Http.GetAsync("/health");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_http_checkpoint_client_reads_paged_state_from_the_service()
    {
        var handler = new CallbackHandler();
        await using var h = NewHarness(register: s => s.Register("cb", handler.HandleAsync));
        var arn = h.Service.StartExecution("cb", null);
        await h.Service.WaitForIdleAsync(arn);
        var input = h.Service.Engine.BeginInvocation(arn); // act as the function for one invocation

        var page1 = await h.Client.GetStateAsync(arn, input.CheckpointToken!, string.Empty, CancellationToken.None);
        Assert.That(page1.Operations!.Select(o => o.Type), Is.EqualTo(new[] { OperationType.Execution, OperationType.Step, OperationType.Callback }));
        var result = await h.Client.CheckpointAsync(arn, input.CheckpointToken!, [], CancellationToken.None);
        Assert.That(result.CheckpointToken, Is.Not.Null.And.Not.EqualTo(input.CheckpointToken));
    }

    [Test]
    public void Listening_beyond_loopback_needs_an_explicit_opt_in()
    {
        Assert.That(() => new LocalDurableService(new LocalDurableServiceOptions { Host = "0.0.0.0" }), Throws.ArgumentException.With.Message.Contains("AllowNonLoopback"));
    }

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private sealed class Counter
    {
        public int First;
        public int Second;
    }
}
