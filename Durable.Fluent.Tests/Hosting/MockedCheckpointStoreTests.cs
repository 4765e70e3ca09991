using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;
using Moq;

namespace Durable.Fluent.Tests.Hosting;

/// <summary>Unit tests of the invocation against a Moq mock of the checkpoint port.</summary>
public class MockedCheckpointStoreTests
{
    private const string Arn = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/e/abc";

    private static DurableExecutionInvocationInput Envelope(string input = "\"World\"", string? marker = null, params Operation[] more) => new()
    {
        DurableExecutionArn = Arn,
        CheckpointToken = "t0",
        InitialExecutionState = new ExecutionState
        {
            Operations = [new Operation { Id = "abc", Type = OperationType.Execution, Status = OperationStatus.Started, ExecutionDetails = new ExecutionDetails { InputPayload = input } }, .. more],
            NextMarker = marker,
        },
    };

    private static Mock<ICheckpointStore> Store()
    {
        var store = new Mock<ICheckpointStore>(MockBehavior.Strict);
        var n = 0;
        store.Setup(s => s.CheckpointAsync(Arn, It.IsAny<string>(), It.IsAny<IReadOnlyList<OperationUpdate>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new CheckpointResult($"t{++n}", new ExecutionState { Operations = [] }));
        return store;
    }

    [Test]
    public async Task An_at_least_once_step_costs_one_checkpoint_request_carrying_start_and_succeed()
    {
        var store = Store();
        var batches = new List<IReadOnlyList<OperationUpdate>>();
        store.Setup(s => s.CheckpointAsync(Arn, It.IsAny<string>(), Capture.In(batches), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CheckpointResult("t1", new ExecutionState { Operations = [] }));
        var wf = Workflow.For<string>().Then("greet", (s, _) => $"Hello, {s}!").Build();

        var output = await wf.HandleAsync(Envelope(), store.Object);

        Assert.That(output.Status, Is.EqualTo(InvocationStatus.Succeeded));
        Assert.That(output.Result, Is.EqualTo("\"Hello, World!\""));
        Assert.That(batches, Has.Count.EqualTo(1));
        Assert.That(batches[0].Select(u => u.Action), Is.EqualTo(new[] { OperationAction.Start, OperationAction.Succeed }));
        Assert.That(batches[0][1].Payload, Is.EqualTo("\"Hello, World!\""));
    }

    [Test]
    public async Task An_at_most_once_step_checkpoints_its_start_before_the_body_runs()
    {
        var store = Store();
        var callsWhenBodyRan = -1;
        var calls = 0;
        store.Setup(s => s.CheckpointAsync(Arn, It.IsAny<string>(), It.IsAny<IReadOnlyList<OperationUpdate>>(), It.IsAny<CancellationToken>()))
            .Callback(() => calls++)
            .ReturnsAsync(new CheckpointResult("t1", new ExecutionState { Operations = [] }));
        var wf = Workflow.For<string>().Then("charge", (s, _) => { callsWhenBodyRan = calls; return s; }, step => step.AtMostOncePerRetry()).Build();

        await wf.HandleAsync(Envelope(), store.Object);

        Assert.That(callsWhenBodyRan, Is.EqualTo(1), "the START was acknowledged before the body ran");
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public async Task State_pages_are_read_until_the_marker_is_empty_and_replayed_steps_do_not_run()
    {
        var store = Store();
        var stepId = Interpretation_Id("1");
        store.Setup(s => s.GetStateAsync(Arn, "t0", "m1", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ExecutionState
            {
                Operations = [new Operation { Id = stepId, Name = "greet", Type = OperationType.Step, SubType = "Step", Status = OperationStatus.Succeeded, StepDetails = new StepDetails { Attempt = 1, Result = "\"from the log\"" } }],
                NextMarker = "m2",
            });
        store.Setup(s => s.GetStateAsync(Arn, "t0", "m2", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ExecutionState { Operations = [] });
        var ran = false;
        var wf = Workflow.For<string>().Then("greet", (s, _) => { ran = true; return s; }).Build();

        var output = await wf.HandleAsync(Envelope(marker: "m1"), store.Object);

        Assert.That(ran, Is.False);
        Assert.That(output.Result, Is.EqualTo("\"from the log\""));
        store.Verify(s => s.GetStateAsync(Arn, "t0", It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        store.Verify(s => s.CheckpointAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IReadOnlyList<OperationUpdate>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task A_moq_test_drives_three_invocations_from_the_updates_the_store_received()
    {
        // The script builds every envelope: no wire operations built by hand, no operation ids computed by the test.
        var charged = 0;
        var workflow = Workflow.For<string>()
            .Then("charge", (name, ctx) => { charged++; return $"receipt for {name}"; }, s => s.AtMostOncePerRetry())
            .Wait("cool_down", TimeSpan.FromMinutes(5))
            .WaitForCallback<bool>("approval", submit: (receipt, callbackId, ct) => Task.CompletedTask)
            .Then("ship", (approved, ctx) => approved ? $"shipped to {ctx.Input}" : "held")
            .Build();
        var script = Durable.Fluent.Testing.InvocationScript.Start(workflow, "World");
        var store = new Mock<ICheckpointStore>(MockBehavior.Strict);
        store.Setup(s => s.CheckpointAsync(script.Arn, It.IsAny<string>(), Capture.In(script.Received), It.IsAny<CancellationToken>()))
            .ReturnsAsync(script.Acknowledge);

        var first = await workflow.HandleAsync(script.Input, store.Object);
        Assert.That(first.Status, Is.EqualTo(InvocationStatus.Pending), "suspended on the wait");

        var second = await workflow.HandleAsync(script.Next(first), store.Object);
        Assert.That(second.Status, Is.EqualTo(InvocationStatus.Pending), "suspended on the callback");
        Assert.That(script.Now - script.Operation("cool_down").StartTimestamp!.Value, Is.EqualTo(TimeSpan.FromMinutes(5)), "the wait fired on the virtual clock");
        Assert.That(() => script.Next(second), Throws.InvalidOperationException.With.Message.Contains("'approval-callback'"), "nothing is due until the test answers");

        script.CompleteCallback("approval", "true");
        var third = await workflow.HandleAsync(script.Next(second), store.Object);

        Assert.That(third.Status, Is.EqualTo(InvocationStatus.Succeeded));
        Assert.That(third.Result, Is.EqualTo("\"shipped to World\""));
        Assert.That(charged, Is.EqualTo(1), "the replays returned the recorded charge");
        Assert.That(script.Operation("charge").StepDetails!.Result, Is.EqualTo("\"receipt for World\""));
        Assert.That(() => script.Next(third), Throws.InvalidOperationException.With.Message.Contains("ended"));
    }

    [Test]
    public async Task The_script_rejects_updates_the_service_would_reject()
    {
        var workflow = Workflow.For<string>().Wait("pause", TimeSpan.FromSeconds(5)).Build();
        var script = Durable.Fluent.Testing.InvocationScript.Start(workflow, "x");
        var store = new Mock<ICheckpointStore>();
        store.Setup(s => s.CheckpointAsync(script.Arn, It.IsAny<string>(), Capture.In(script.Received), It.IsAny<CancellationToken>())).ReturnsAsync(script.Acknowledge);
        var output = await workflow.HandleAsync(script.Input, store.Object);
        script.Received.Add(script.Received[0]);   // the same START again: the service answers 400

        Assert.That(() => script.Next(output), Throws.InstanceOf<CheckpointException>());
    }

    [Test]
    public void A_retryable_checkpoint_error_escapes_so_lambda_retries_the_invocation()
    {
        var store = new Mock<ICheckpointStore>();
        store.Setup(s => s.CheckpointAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IReadOnlyList<OperationUpdate>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CheckpointException("Rate exceeded", "TooManyRequestsException", 429));
        var wf = Workflow.For<string>().Then("greet", (s, _) => s).Build();
        Assert.ThrowsAsync<CheckpointException>(() => wf.HandleAsync(Envelope(), store.Object));
    }

    [Test]
    public async Task A_non_retryable_checkpoint_error_fails_the_execution()
    {
        var store = new Mock<ICheckpointStore>();
        store.Setup(s => s.CheckpointAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IReadOnlyList<OperationUpdate>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CheckpointException("Inconsistent operation", "InvalidParameterValueException", 400));
        var wf = Workflow.For<string>().Then("greet", (s, _) => s).Build();
        var output = await wf.HandleAsync(Envelope(), store.Object);
        Assert.That(output.Status, Is.EqualTo(InvocationStatus.Failed));
        Assert.That(output.Error!.ErrorMessage, Is.EqualTo("Inconsistent operation"));
    }

    [Test]
    public void An_envelope_without_arn_or_token_is_rejected_before_anything_runs()
    {
        var wf = Workflow.For<string>().Then("greet", (s, _) => s).Build();
        var store = new Mock<ICheckpointStore>(MockBehavior.Strict);
        var ex = Assert.ThrowsAsync<InvalidInvocationInputException>(() => wf.HandleAsync(Envelope() with { CheckpointToken = null }, store.Object));
        Assert.That(ex!.Message, Does.Contain("CheckpointToken"));
    }

    [Test]
    public void An_envelope_without_an_execution_operation_is_rejected()
    {
        var wf = Workflow.For<string>().Then("greet", (s, _) => s).Build();
        var input = Envelope() with { InitialExecutionState = new ExecutionState { Operations = [] } };
        Assert.ThrowsAsync<InvalidInvocationInputException>(() => wf.HandleAsync(input, new Mock<ICheckpointStore>().Object));
    }

    [Test]
    public async Task Input_that_does_not_match_the_workflow_type_fails_the_execution_with_a_clear_error()
    {
        var wf = Workflow.For<int>().Then("inc", (x, _) => x + 1).Build();
        var output = await wf.HandleAsync(Envelope(input: "\"not a number\""), Store().Object);
        Assert.That(output.Status, Is.EqualTo(InvocationStatus.Failed), "retrying the invocation could never succeed");
        Assert.That(output.Error!.ErrorType, Is.EqualTo(typeof(InvalidInvocationInputException).FullName));
        Assert.That(output.Error.ErrorMessage, Does.Contain("Int32"));
    }

    [Test]
    public async Task A_wait_suspends_with_pending_after_flushing_its_start()
    {
        var store = Store();
        var batches = new List<IReadOnlyList<OperationUpdate>>();
        store.Setup(s => s.CheckpointAsync(Arn, It.IsAny<string>(), Capture.In(batches), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CheckpointResult("t1", new ExecutionState { Operations = [] }));
        var wf = Workflow.For<string>().Wait("pause", TimeSpan.FromHours(2)).Build();
        var output = await wf.HandleAsync(Envelope(), store.Object);
        Assert.That(output, Is.EqualTo(new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending }));
        Assert.That(batches.Single().Single().WaitOptions!.WaitSeconds, Is.EqualTo(7200));
    }

    private static string Interpretation_Id(string key)
        => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))).ToLowerInvariant();
}

public class BatcherFailureTests
{
    [Test]
    public async Task After_a_failed_checkpoint_every_later_flush_rethrows_so_no_update_is_silently_lost()
    {
        var calls = 0;
        var store = new Moq.Mock<Durable.Fluent.Checkpointing.ICheckpointStore>();
        store.Setup(s => s.CheckpointAsync(Moq.It.IsAny<string>(), Moq.It.IsAny<string>(), Moq.It.IsAny<IReadOnlyList<Durable.Fluent.Wire.OperationUpdate>>(), Moq.It.IsAny<CancellationToken>()))
            .Returns(() => ++calls == 1
                ? Task.FromException<Durable.Fluent.Checkpointing.CheckpointResult>(new Durable.Fluent.Checkpointing.CheckpointException("Service unavailable", "ServiceException", 503))
                : Task.FromResult(new Durable.Fluent.Checkpointing.CheckpointResult("t", new Durable.Fluent.Wire.ExecutionState { Operations = [] })));
        var batcher = new Durable.Fluent.Checkpointing.CheckpointBatcher(store.Object, "arn", "t0", _ => { });
        var update = new Durable.Fluent.Wire.OperationUpdate { Id = "a", Type = Durable.Fluent.Wire.OperationType.Step, Action = Durable.Fluent.Wire.OperationAction.Start };

        Assert.ThrowsAsync<Durable.Fluent.Checkpointing.CheckpointException>(() => batcher.CheckpointAsync(update, CancellationToken.None));
        var second = Assert.ThrowsAsync<Durable.Fluent.Checkpointing.CheckpointException>(() => batcher.CheckpointAsync(update with { Id = "b" }, CancellationToken.None));
        Assert.That(second!.StatusCode, Is.EqualTo(503));
        Assert.That(calls, Is.EqualTo(1), "nothing is sent after the failure");
        await Task.CompletedTask;
    }
}
