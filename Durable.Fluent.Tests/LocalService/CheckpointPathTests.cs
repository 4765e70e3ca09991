using Durable.Fluent.Checkpointing;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// The same scenarios on both checkpoint paths of a function the service hosts in its own process — in-process (the
/// default) and over HTTP (<see cref="LocalDurableServiceOptions.InvokeOverHttp"/>) — with the same expected outcome: what a
/// deployed function could run into on AWS (the request size limit, per-payload limits, token validation, unknown and
/// invalid updates, a stopped execution, a callback answered meanwhile) is enforced on both, and surfaces as the same
/// exception type, error type, status and retryability, the same execution status and the same history.
/// </summary>
[TestFixture(false)]
[TestFixture(true)]
public class CheckpointPathTests(bool invokeOverHttp)
{
    private const string Checkpoint = nameof(CheckpointException);

    [Test]
    public async Task A_token_longer_than_2048_characters_is_a_bad_request_not_a_stale_token()
    {
        var outcome = await ProbeAsync(c => Ok(c.Store.CheckpointAsync(c.Arn, new string('A', 2049), [], c.Ct)));
        Assert.That(outcome, Is.EqualTo($"{Checkpoint} 400 InvalidParameterValueException retryable=False: CheckpointToken is required (1–2048 characters)."));
    }

    [Test]
    public async Task A_token_longer_than_2048_characters_reading_state_is_a_bad_request()
    {
        var outcome = await ProbeAsync(c => Ok(c.Store.GetStateAsync(c.Arn, new string('A', 2049), string.Empty, c.Ct)));
        Assert.That(outcome, Is.EqualTo($"{Checkpoint} 400 InvalidParameterValueException retryable=False: CheckpointToken is required (1–2048 characters)."));
    }

    [Test]
    public async Task A_stale_token_is_retryable_and_changes_nothing()
    {
        var outcome = await ProbeAsync(async c =>
        {
            await c.Store.CheckpointAsync(c.Arn, c.Token, [], c.Ct);
            await c.Store.CheckpointAsync(c.Arn, c.Token, [Step("s1", OperationAction.Start)], c.Ct); // the token the first call used up
            return "ok";
        });
        Assert.That(outcome, Is.EqualTo($"{Checkpoint} 400 InvalidParameterValueException retryable=True: Invalid Checkpoint Token: the token is stale or was never issued for this execution."));
        Assert.That(_operations, Has.None.Matches<Operation>(o => o.Id == "s1"), "the refused update was not applied");
    }

    [Test]
    public async Task A_token_never_issued_reading_state_is_retryable()
    {
        var outcome = await ProbeAsync(c => Ok(c.Store.GetStateAsync(c.Arn, "bm90LWlzc3VlZA==", string.Empty, c.Ct)));
        Assert.That(outcome, Does.StartWith($"{Checkpoint} 400 InvalidParameterValueException retryable=True: Invalid Checkpoint Token"));
    }

    [TestCase("-other")]
    [TestCase("/../x y")]
    public async Task An_unknown_execution_is_not_found(string suffix)
    {
        var outcome = await ProbeAsync(c => Ok(c.Store.CheckpointAsync(c.Arn + suffix, c.Token, [], c.Ct)));
        Assert.That(outcome, Does.StartWith($"{Checkpoint} 404 ResourceNotFoundException retryable=False: ").And.Contain(_arn + suffix));
    }

    [Test]
    public async Task An_empty_token_or_arn_is_refused_before_anything_is_sent()
    {
        Assert.That(await ProbeAsync(c => Ok(c.Store.CheckpointAsync(c.Arn, string.Empty, [], c.Ct))), Does.StartWith("ArgumentException: The value cannot be an empty string.").And.Contain("checkpointToken"));
        Assert.That(await ProbeAsync(c => Ok(c.Store.GetStateAsync(string.Empty, c.Token, string.Empty, c.Ct))), Does.StartWith("ArgumentException: The value cannot be an empty string.").And.Contain("durableExecutionArn"));
        Assert.That(await ProbeAsync(c => Ok(c.Store.CheckpointAsync(c.Arn, c.Token, null!, c.Ct))), Does.StartWith("ArgumentNullException:").And.Contain("updates"));
    }

    [Test]
    public async Task A_null_update_is_a_bad_request()
    {
        var outcome = await ProbeAsync(c => Ok(c.Store.CheckpointAsync(c.Arn, c.Token, [Step("s1", OperationAction.Start), null!], c.Ct)));
        Assert.That(outcome, Is.EqualTo($"{Checkpoint} 400 InvalidParameterValueException retryable=False: Updates must not contain null (update #2 is null)."));
        Assert.That(_operations, Has.None.Matches<Operation>(o => o.Id == "s1"), "nothing of the batch was applied");
    }

    [Test]
    public async Task An_invalid_update_is_a_bad_request_and_nothing_of_its_batch_is_applied()
    {
        var outcome = await ProbeAsync(c => Ok(c.Store.CheckpointAsync(
            c.Arn,
            c.Token,
            [Step("s1", OperationAction.Start), new OperationUpdate { Id = "w1", Type = OperationType.Wait, SubType = "Wait", Action = OperationAction.Start }],
            c.Ct)));
        Assert.That(outcome, Is.EqualTo($"{Checkpoint} 400 InvalidParameterValueException retryable=False: Invalid checkpoint update #2 (WAIT START w1): WAIT START requires WaitOptions.WaitSeconds between 1 and 31,622,400."));
        Assert.That(_operations, Has.None.Matches<Operation>(o => o.Id == "s1"));
    }

    [Test]
    public async Task An_update_of_an_unknown_type_is_a_bad_request()
    {
        // Over HTTP the route cannot parse the type; in-process the engine finds no action allowed for it. Same refusal.
        var outcome = await ProbeAsync(c => Ok(c.Store.CheckpointAsync(
            c.Arn,
            c.Token,
            [new OperationUpdate { Id = "x1", Type = (OperationType)99, Action = OperationAction.Start }],
            c.Ct)));
        Assert.That(outcome, Does.StartWith($"{Checkpoint} 400 InvalidParameterValueException retryable=False: ").And.Contain("99"));
    }

    [Test]
    public async Task A_payload_over_6_MiB_is_refused_by_the_per_payload_limit()
    {
        var outcome = await ProbeAsync(c => Ok(c.Store.CheckpointAsync(c.Arn, c.Token, [Step("big", OperationAction.Start), Step("big", OperationAction.Succeed, new string('x', 6_291_457))], c.Ct)));
        Assert.That(outcome, Is.EqualTo($"{Checkpoint} 400 InvalidParameterValueException retryable=False: Invalid checkpoint update #2 (STEP SUCCEED big): Payload exceeds 6,291,456 bytes."));
    }

    [Test]
    public async Task An_error_over_32_KiB_is_refused_by_its_own_limit()
    {
        var outcome = await ProbeAsync(c => Ok(c.Store.CheckpointAsync(
            c.Arn,
            c.Token,
            [Step("s1", OperationAction.Start), Step("s1", OperationAction.Fail) with { Error = new ErrorObject { ErrorType = "Boom", ErrorMessage = new string('m', 40_000) } }],
            c.Ct)));
        Assert.That(outcome, Is.EqualTo($"{Checkpoint} 400 InvalidParameterValueException retryable=False: Invalid checkpoint update #2 (STEP FAIL s1): Error must serialize to under 32,768 bytes."));
    }

    [Test]
    public async Task A_payload_with_a_lone_surrogate_reads_back_the_same_on_both_paths()
    {
        var outcome = await ProbeAsync(async c =>
        {
            var r = await c.Store.CheckpointAsync(c.Arn, c.Token, [Step("s1", OperationAction.Start), Step("s1", OperationAction.Succeed, "\"a\ud800b\"")], c.Ct);
            var payload = r.NewExecutionState.Operations!.Single(o => o.Id == "s1").StepDetails!.Result!;
            return string.Join(" ", payload.Select(ch => ((int)ch).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)));
        });
        Assert.That(outcome, Is.EqualTo("0022 0061 fffd 0062 0022"), "a lone surrogate cannot be sent as JSON: U+FFFD arrives in its place");
    }

    [Test]
    public async Task A_request_over_the_size_limit_is_413_even_when_each_payload_is_within_its_own_limit()
    {
        // 1.1 million control characters: 1.1 MB of payload, 6.6 MB of JSON (each is escaped as \u0001).
        var outcome = await ProbeAsync(c => Ok(c.Store.CheckpointAsync(c.Arn, c.Token, [Step("esc", OperationAction.Start), Step("esc", OperationAction.Succeed, new string('\u0001', 1_100_000))], c.Ct)));
        Assert.That(outcome, Is.EqualTo($"{Checkpoint} 413 RequestTooLargeException retryable=False: The request body exceeds {LocalDurableServiceOptions.DefaultMaxRequestBodyBytes} bytes."));
        Assert.That(_operations, Has.None.Matches<Operation>(o => o.Id == "esc"));
    }

    [Test]
    public async Task The_configured_request_size_limit_holds_to_the_byte()
    {
        const long Limit = 4096;
        OperationUpdate[] Batch(int payloadLength) => [Step("s1", OperationAction.Start), Step("s1", OperationAction.Succeed, "\"" + new string('é', payloadLength) + "\"")];
        int? atLimit = null;
        var outcome = await ProbeAsync(
            async c =>
            {
                var length = 0;
                while (InProcessCheckpointStore.RequestBytes(c.Token, Batch(length + 1)) <= Limit)
                {
                    length++;
                }

                Assert.That(InProcessCheckpointStore.RequestBytes(c.Token, Batch(length)), Is.EqualTo(Limit - 1).Or.EqualTo(Limit), "é is 2 bytes: the largest batch is the limit or one byte under");
                atLimit = length;
                try
                {
                    await c.Store.CheckpointAsync(c.Arn, c.Token, Batch(length + 1), c.Ct);
                }
                catch (CheckpointException ex)
                {
                    Assert.That((ex.StatusCode, ex.ErrorCode, ex.Message), Is.EqualTo((413, "RequestTooLargeException", $"The request body exceeds {Limit} bytes.")));
                    return await Ok(c.Store.CheckpointAsync(c.Arn, c.Token, Batch(length), c.Ct));
                }

                throw new AssertionException("A body one step over the limit was accepted.");
            },
            o => o with { MaxRequestBodyBytes = Limit });
        Assert.That(outcome, Is.EqualTo("ok"), "the largest batch within the limit is accepted");
        Assert.That(atLimit, Is.GreaterThan(1000));
        Assert.That(_operations!.Single(o => o.Id == "s1").Status, Is.EqualTo(OperationStatus.Succeeded));
    }

    [Test]
    public async Task A_bad_state_marker_is_a_bad_request()
    {
        var outcome = await ProbeAsync(c => Ok(c.Store.GetStateAsync(c.Arn, c.Token, "zz", c.Ct)));
        Assert.That(outcome, Is.EqualTo($"{Checkpoint} 400 InvalidParameterValueException retryable=False: Invalid Marker 'zz'."));
    }

    [Test]
    public async Task A_checkpoint_after_the_execution_was_stopped_meanwhile_is_refused()
    {
        var outcome = await ProbeAsync(async c =>
        {
            await c.Harness.Client.StopDurableExecutionAsync(c.Arn, new ErrorObject { ErrorType = "Cancelled", ErrorMessage = "by an operator" });
            return await Ok(c.Store.CheckpointAsync(c.Arn, c.Token, [Step("s1", OperationAction.Start)], c.Ct));
        });
        Assert.That(outcome, Is.EqualTo($"{Checkpoint} 400 InvalidParameterValueException retryable=False: Durable execution {_arn} has already ended (STOPPED); it accepts no more checkpoints."));
        Assert.That(_execution!.Status, Is.EqualTo(ExecutionStatus.Stopped));
        Assert.That(_operations, Has.None.Matches<Operation>(o => o.Id == "s1"));
    }

    [Test]
    public async Task A_callback_answered_meanwhile_comes_back_in_the_next_checkpoint()
    {
        var outcome = await ProbeAsync(async c =>
        {
            var started = await c.Store.CheckpointAsync(
                c.Arn,
                c.Token,
                [new OperationUpdate { Id = "cb1", Type = OperationType.Callback, SubType = "Callback", Name = "approval", Action = OperationAction.Start, CallbackOptions = new CallbackOptions() }],
                c.Ct);
            var callbackId = started.NewExecutionState.Operations!.Single(o => o.Id == "cb1").CallbackDetails!.CallbackId!;
            await c.Harness.Client.SendCallbackSuccessAsync(callbackId, "{\"approved\":true}");
            var next = await c.Store.CheckpointAsync(c.Arn, started.CheckpointToken!, [], c.Ct);
            var cb = next.NewExecutionState.Operations!.Single(o => o.Id == "cb1");
            return $"{cb.Status} {cb.CallbackDetails!.Result}";
        });
        Assert.That(outcome, Is.EqualTo("Succeeded {\"approved\":true}"));
    }

    [Test]
    public async Task A_cancelled_request_is_cancelled()
    {
        var outcome = await ProbeAsync(c => Ok(c.Store.CheckpointAsync(c.Arn, c.Token, [], new CancellationToken(canceled: true))));
        Assert.That(outcome, Is.EqualTo("cancelled"));
    }

    [Test]
    public async Task Checkpoint_requests_are_counted_on_both_paths()
    {
        var outcome = await ProbeAsync(async c =>
        {
            var first = await c.Store.CheckpointAsync(c.Arn, c.Token, [Step("s1", OperationAction.Start)], c.Ct);
            return await Ok(c.Store.CheckpointAsync(c.Arn, first.CheckpointToken!, [Step("s1", OperationAction.Succeed, "1")], c.Ct));
        });
        Assert.That(outcome, Is.EqualTo("ok"));
        Assert.That(_checkpointRequests, Is.EqualTo(2));
    }

    [Test]
    public async Task A_workflow_with_a_step_a_wait_and_a_step_succeeds_with_the_same_history()
    {
        var workflow = Workflow.For<string>()
            .Then("first", (s, _) => s + "-a")
            .Wait("pause", TimeSpan.FromSeconds(60))
            .Then("second", (s, _) => s + "-b")
            .Build();
        await using var h = Harness(s => s.Register("fn", workflow));
        var arn = h.Service.StartExecution("fn", "\"x\"");
        var done = await h.DriveAsync(arn);

        Assert.That((done.Status, done.Result), Is.EqualTo((ExecutionStatus.Succeeded, "\"x-a-b\"")));
        Assert.That(await EventTypesAsync(h, arn), Is.EqualTo(new[]
        {
            HistoryEventType.ExecutionStarted, HistoryEventType.StepStarted, HistoryEventType.StepSucceeded, HistoryEventType.WaitStarted,
            HistoryEventType.InvocationCompleted, HistoryEventType.WaitSucceeded, HistoryEventType.StepStarted, HistoryEventType.StepSucceeded,
            HistoryEventType.InvocationCompleted, HistoryEventType.ExecutionSucceeded,
        }));
        Assert.That(h.Service.CheckpointRequests, Is.GreaterThanOrEqualTo(2), "the workflow's checkpoints are counted");
    }

    [Test]
    public async Task A_workflow_whose_checkpoint_is_over_the_request_limit_fails_with_the_services_error()
    {
        var workflow = Workflow.For<string>().Then("big", (s, _) => new string('x', 5000)).Build();
        await using var h = Harness(s => s.Register("fn", workflow), o => o with { MaxRequestBodyBytes = 4096 });
        var arn = h.Service.StartExecution("fn", "\"x\"");
        var done = await h.DriveAsync(arn);

        Assert.That(done.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That((done.Error!.ErrorType, done.Error.ErrorMessage), Is.EqualTo((typeof(CheckpointException).FullName, "The request body exceeds 4096 bytes.")));
        Assert.That(await EventTypesAsync(h, arn), Is.EqualTo(new[] { HistoryEventType.ExecutionStarted, HistoryEventType.InvocationCompleted, HistoryEventType.ExecutionFailed }));
    }

    [Test]
    public async Task A_workflow_stopped_while_its_step_runs_ends_stopped_with_the_same_history()
    {
        ServiceHarness? h = null;
        var workflow = Workflow.For<string>()
            .Then("stop-me", (s, ctx) =>
            {
                h!.Client.StopDurableExecutionAsync(ctx.DurableExecutionArn, new ErrorObject { ErrorType = "Cancelled", ErrorMessage = "by an operator" }).GetAwaiter().GetResult();
                return s;
            })
            .Then("after", (s, _) => s + "-never")
            .Build();
        await using var harness = h = Harness(s => s.Register("fn", workflow));
        var arn = h.Service.StartExecution("fn", "\"x\"");
        var done = await h.DriveAsync(arn);

        Assert.That((done.Status, done.Error?.ErrorType), Is.EqualTo((ExecutionStatus.Stopped, "Cancelled")));
        Assert.That(await EventTypesAsync(h, arn), Is.EqualTo(new[] { HistoryEventType.ExecutionStarted, HistoryEventType.ExecutionStopped, HistoryEventType.InvocationCompleted }));
    }

    [Test]
    public async Task A_workflow_whose_callback_is_answered_while_it_runs_succeeds_with_the_same_history()
    {
        ServiceHarness? h = null;
        var workflow = Workflow.For<string>()
            .WaitForCallback<string>("approval", (value, callbackId, ct) => h!.Client.SendCallbackSuccessAsync(callbackId, "\"approved\"", ct))
            .Then("after", (s, _) => s + "!")
            .Build();
        await using var harness = h = Harness(s => s.Register("fn", workflow));
        var arn = h.Service.StartExecution("fn", "\"x\"");
        var done = await h.DriveAsync(arn);

        Assert.That((done.Status, done.Result), Is.EqualTo((ExecutionStatus.Succeeded, "\"approved!\"")));
        var events = await EventTypesAsync(h, arn);
        Assert.That(events, Does.Contain(HistoryEventType.CallbackStarted).And.Contain(HistoryEventType.CallbackSucceeded));
        Assert.That(events[^1], Is.EqualTo(HistoryEventType.ExecutionSucceeded));
    }

    // ---- the probe: a raw handler that makes calls on the port it is given and records what came back ----

    private string? _arn;
    private GetDurableExecutionResponse? _execution;
    private IReadOnlyList<Operation>? _operations;
    private long _checkpointRequests;

    private sealed record Call(ServiceHarness Harness, ICheckpointStore Store, string Arn, string Token, CancellationToken Ct);

    private ServiceHarness Harness(Action<LocalDurableService> register, Func<LocalDurableServiceOptions, LocalDurableServiceOptions>? configure = null)
    {
        var h = new ServiceHarness(register: register, invokeOverHttp: invokeOverHttp, configure: configure);
        Assert.That(h.Service.Options.InvokeOverHttp, Is.EqualTo(invokeOverHttp));
        return h;
    }

    private async Task<string> ProbeAsync(Func<Call, Task<string>> call, Func<LocalDurableServiceOptions, LocalDurableServiceOptions>? configure = null)
    {
        string? outcome = null;
        ServiceHarness? h = null;
        await using var harness = h = Harness(
            s => s.Register("probe", async (input, store, ct) =>
            {
                try
                {
                    outcome = await call(new Call(h!, store, input.DurableExecutionArn!, input.CheckpointToken!, ct));
                }
                catch (OperationCanceledException)
                {
                    outcome = "cancelled";
                }
                catch (CheckpointException ex)
                {
                    outcome = $"{ex.GetType().Name} {ex.StatusCode} {ex.ErrorCode} retryable={ex.IsRetryable}: {ex.Message}";
                }
                catch (ArgumentException ex)
                {
                    outcome = $"{ex.GetType().Name}: {ex.Message}";
                }

                return new DurableExecutionInvocationOutput { Status = InvocationStatus.Succeeded, Result = "null" };
            }),
            configure);
        var arn = _arn = h.Service.StartExecution("probe", null, "probe");
        await h.Service.WaitForIdleAsync(arn);
        _execution = await h.Client.GetDurableExecutionAsync(arn);
        _operations = h.Service.Engine.GetOperations(arn);
        _checkpointRequests = h.Service.CheckpointRequests;
        return outcome ?? throw new AssertionException("The probe did not run.");
    }

    private static async Task<string> Ok(Task call)
    {
        await call;
        return "ok";
    }

    private static OperationUpdate Step(string id, OperationAction action, string? payload = null)
        => new() { Id = id, Type = OperationType.Step, SubType = "Step", Name = id, Action = action, Payload = payload };

    private static async Task<HistoryEventType[]> EventTypesAsync(ServiceHarness h, string arn)
        => (await h.Client.GetDurableExecutionHistoryAsync(arn, maxItems: 1000)).Events.Select(e => e.EventType).ToArray();
}
