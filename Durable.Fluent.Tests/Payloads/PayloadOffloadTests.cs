using System.Text;
using System.Text.Json;
using Durable.Fluent.Payloads;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Payloads;

/// <summary>Payload offload through a real <see cref="FileSystemPayloadStore"/> in a temporary directory.</summary>
public class PayloadOffloadTests
{
    private const int TwoMiB = 2 * 1024 * 1024;
    private string _root = null!;
    private CountingStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _root = TempPaths.Unique("durable-offload");
        _store = new CountingStore(new FileSystemPayloadStore(_root));
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static Workflow<int, int> TwoMiBStep(Action onRun, WorkflowOptions? options = null) => Workflow.For<int>()
        .Then("big", (n, _) =>
        {
            onRun();
            return new string('x', TwoMiB);
        })
        .Wait("pause", TimeSpan.FromSeconds(1))
        .Then("measure", (s, _) => s.Length)
        .Build(options ?? WorkflowOptions.Default);

    [Test]
    public async Task A_step_returning_2_MiB_succeeds_with_offload_on_and_replays_from_the_store()
    {
        var runs = 0;
        var wf = TwoMiBStep(() => runs++, new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(_store) });
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), execution.Error?.ErrorMessage);
        Assert.That(execution.Result, Is.EqualTo(TwoMiB));
        Assert.That(execution.Invocations, Is.EqualTo(2));
        Assert.That(runs, Is.EqualTo(1), "the step body did not run again: invocation 2 replayed its result");
        Assert.That(_store.Writes, Is.EqualTo(1));
        Assert.That(_store.Reads, Is.EqualTo(1), "invocation 2 read the offloaded result back from the store");

        var checkpointed = execution.GetOperation("big").StepDetails!.Result!;
        Assert.That(Encoding.UTF8.GetByteCount(checkpointed), Is.LessThan(300), "the checkpoint holds a small reference");
        var reference = PayloadReference.Parse(checkpointed);
        var expected = JsonSerializer.Serialize(new string('x', TwoMiB));
        Assert.That(reference.Version, Is.EqualTo(1));
        Assert.That(reference.Store, Is.EqualTo("file"));
        Assert.That(reference.Bytes, Is.EqualTo(expected.Length));
        Assert.That(reference.Key, Does.StartWith(PayloadReference.ExecutionKey(execution.DurableExecutionArn) + "/" + execution.GetOperation("big").Id + "/"));
        Assert.That(reference.Sha256, Is.EqualTo(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(expected))).ToLowerInvariant()));
        Assert.That(File.ReadAllText(Path.Combine(_root, reference.Key)), Is.EqualTo(expected), "the store holds exactly the serialized result");
        Assert.That(checkpointed, Is.EqualTo(reference.ToJson()), "the documented shape, members in order");
        Assert.That(checkpointed, Does.StartWith("{\"durableOffload\":1,\"store\":\"file\",\"key\":\""));
        Assert.That(execution.History.Single(e => e.EventType == HistoryEventType.StepSucceeded && e.Name == "big").Details.Result!.Payload, Is.EqualTo(checkpointed));
    }

    [Test]
    public async Task Without_offload_a_step_returning_2_MiB_fails_as_before()
    {
        var runs = 0;
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(TwoMiBStep(() => runs++), 0);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Does.Contain("over the limit of 262,144 bytes").And.Contain("PayloadOffload"));
        Assert.That(execution.GetOperation("big").Status, Is.EqualTo(OperationStatus.Failed));
        Assert.That(runs, Is.EqualTo(1), "an oversized result is not retried");
        Assert.That(Directory.Exists(_root), Is.False);
    }

    [Test]
    public async Task The_run_options_store_is_used_and_cleanup_deletes_everything_the_execution_offloaded()
    {
        using var runner = new DurableTestRunner(new DurableTestRunnerOptions { PayloadOffload = new PayloadOffloadOptions(_store) });
        var execution = await runner.RunAsync(TwoMiBStep(() => { }), 0);
        Assert.That(execution.Result, Is.EqualTo(TwoMiB));
        var other = await runner.RunAsync(TwoMiBStep(() => { }), 1, executionName: "other");
        Assert.That(other.Result, Is.EqualTo(TwoMiB));

        var deleted = await _store.DeleteExecutionAsync(execution.DurableExecutionArn);
        Assert.That(deleted, Is.EqualTo(1));
        Assert.That(Directory.Exists(Path.Combine(_root, PayloadReference.ExecutionKey(execution.DurableExecutionArn))), Is.False);
        Assert.That(Directory.Exists(Path.Combine(_root, PayloadReference.ExecutionKey(other.DurableExecutionArn))), Is.True, "other executions keep theirs");
        Assert.That(await _store.DeleteExecutionAsync(execution.DurableExecutionArn), Is.Zero);
    }

    [Test]
    public async Task A_large_map_result_is_offloaded_instead_of_re_running_its_items_on_every_replay()
    {
        var runs = 0;
        var wf = Workflow.For<int>()
            .Map("items", n => Enumerable.Range(0, n), item => item.Then("blob", (i, _) =>
            {
                Interlocked.Increment(ref runs);
                return new string((char)('a' + i), 100_000);
            }))
            .Wait("pause", TimeSpan.FromSeconds(1))
            .Select(r => r.Results.Sum(s => s.Length))
            .Build(new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(_store) });
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 3);

        Assert.That(execution.Result, Is.EqualTo(300_000));
        var map = execution.GetOperation("items");
        Assert.That(map.ContextDetails!.ReplayChildren, Is.Not.True, "the result was offloaded, so nothing needs re-running");
        Assert.That(PayloadReference.IsReference(map.ContextDetails.Result), Is.True);
        Assert.That(runs, Is.EqualTo(3));
        Assert.That(_store.Reads, Is.EqualTo(1), "the replay after the wait read the map's result once");
    }

    [Test]
    public async Task At_threshold_zero_every_payload_is_offloaded_including_child_and_wait_for_condition_state()
    {
        var wf = Workflow.For<int>()
            .Then("one", (n, _) => n + 1)
            .Child("child", c => c.Then("two", (n, _) => n * 2))
            .Select(n => 0)
            .WaitForCondition("poll", (int state, StepContext<int> _) => state + 1, Durable.Fluent.Retries.WaitStrategy.Fixed<int>(s => s < 5, TimeSpan.FromSeconds(1)), 0)
            .Build(new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(_store) { ThresholdBytes = 0 } });
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), execution.Error?.ErrorMessage);
        Assert.That(execution.Result, Is.EqualTo(5));
        Assert.That(execution.Operations.Where(o => o.Type == OperationType.Step).Select(o => o.StepDetails?.Result), Has.All.Matches<string?>(PayloadReference.IsReference));
        Assert.That(PayloadReference.IsReference(execution.GetOperation("child").ContextDetails!.Result), Is.True);
        Assert.That(_store.Reads, Is.GreaterThanOrEqualTo(3), "polls resume from the offloaded state");
    }

    [Test]
    public async Task A_callback_result_and_an_execution_input_sent_as_references_are_read_back_transparently()
    {
        var big = new string('c', 400_000);
        var wf = Workflow.For<string>()
            .WaitForCallback<string>("approval", (string input, string callbackId, CancellationToken ct) => Task.CompletedTask)
            .Select((approval, ctx) => $"{ctx.Input.Length}:{approval.Length}")
            .Build(new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(_store) });
        var callbackReference = await PayloadReference.WriteAsync(_store, "callbacks/approval", JsonSerializer.Serialize(big));
        var inputReference = await PayloadReference.WriteAsync(_store, "inputs/order-7", JsonSerializer.Serialize(new string('i', 7_000_000)));
        using var runner = new DurableTestRunner().RespondToCallback("approval", CallbackResponse.Succeed(callbackReference));

        var execution = await runner.RunJsonAsync(wf, inputReference);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), execution.Error?.ErrorMessage);
        Assert.That(execution.Result, Is.EqualTo("7000000:400000"));
    }

    [Test]
    public async Task An_execution_result_over_the_response_limit_is_returned_as_a_reference()
    {
        var wf = Workflow.For<int>()
            .Select(n => new string('r', 7_000_000))
            .Build(new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(_store) });
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), execution.Error?.ErrorMessage);
        Assert.That(PayloadReference.IsReference(execution.ResultPayload), Is.True);
        Assert.That(await PayloadReference.ReadAsync(_store, execution.ResultPayload), Is.EqualTo(JsonSerializer.Serialize(new string('r', 7_000_000))));
    }

    [Test]
    public async Task A_missing_offloaded_payload_fails_the_execution_with_a_message_naming_the_key()
    {
        _store.LoseEverything = true;
        var wf = TwoMiBStep(() => { }, new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(_store) });
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorType, Is.EqualTo(typeof(PayloadStoreException).FullName));
        Assert.That(execution.Error.ErrorMessage, Does.Contain("is not there any more").And.Contain(PayloadReference.ExecutionKey(execution.DurableExecutionArn)).And.Contain("'big'"));
    }

    [Test]
    public async Task An_altered_offloaded_payload_is_detected()
    {
        _store.Tamper = true;
        var wf = TwoMiBStep(() => { }, new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(_store) });
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Does.Contain("does not match its reference"));
    }

    [Test]
    public async Task A_transient_store_failure_retries_the_invocation_instead_of_failing_the_step()
    {
        var runs = 0;
        _store.FailWrites = 1;
        var wf = TwoMiBStep(() => runs++, new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(_store) });
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 0);

        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded), execution.Error?.ErrorMessage);
        Assert.That(execution.Result, Is.EqualTo(TwoMiB));
        Assert.That(runs, Is.EqualTo(2), "the invocation was retried, and with it the (at-least-once) step");
        Assert.That(execution.History.Count(e => e.EventType == HistoryEventType.StepFailed), Is.Zero);
    }

    [Test]
    public async Task A_reference_without_a_configured_store_is_a_clear_error_and_a_reference_to_another_store_too()
    {
        var reference = await PayloadReference.WriteAsync(_store, "callbacks/x", "\"hello\"");
        var wf = Workflow.For<int>().WaitForCallback<string>("cb", (int _, string _, CancellationToken _) => Task.CompletedTask).Build();
        using var runner = new DurableTestRunner().RespondToCallback("cb", CallbackResponse.Succeed(reference));
        var execution = await runner.RunAsync(wf, 0);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Does.Contain("payload offload is not configured"));

        var elsewhere = new PayloadOffloadOptions(new RenamedStore(_store, "s3://other"));
        using var runner2 = new DurableTestRunner(new DurableTestRunnerOptions { PayloadOffload = elsewhere }).RespondToCallback("cb", CallbackResponse.Succeed(reference));
        var execution2 = await runner2.RunAsync(wf, 0);
        Assert.That(execution2.Error!.ErrorMessage, Does.Contain("offloaded to payload store 'file'").And.Contain("configured store is 's3://other'"));
    }

    [Test]
    public void Options_and_keys_reject_bad_input()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PayloadOffloadOptions(_store) { ThresholdBytes = 256 * 1024 + 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PayloadOffloadOptions(_store) { ThresholdBytes = -1 });
        Assert.ThrowsAsync<ArgumentException>(() => PayloadReference.WriteAsync(_store, "../escape", "x"));
        Assert.ThrowsAsync<ArgumentException>(() => new FileSystemPayloadStore(_root).WriteAsync("a/../../b", new byte[1], CancellationToken.None));
        var ex = Assert.Throws<PayloadStoreException>(() => PayloadReference.Parse("{\"durableOffload\":2,\"store\":\"file\",\"key\":\"k\",\"bytes\":1,\"sha256\":\"x\"}"));
        Assert.That(ex!.Message, Does.Contain("version 2 is not supported"));
        Assert.That(ex.IsRetryable, Is.False);
        Assert.That(PayloadReference.IsReference("{\"durableOffloadX\":1}"), Is.False);
        Assert.That(PayloadReference.IsReference("\"{\\\"durableOffload\\\":1}\""), Is.False, "a JSON string that merely contains the text is not a reference");
    }

    /// <summary>Counts calls and injects faults around a real store.</summary>
    private sealed class CountingStore(IPayloadStore inner) : IPayloadStore
    {
        public int Writes;
        public int Reads;

        public int FailWrites { get; set; }

        public bool LoseEverything { get; set; }

        public bool Tamper { get; set; }

        public string Name => inner.Name;

        public Task WriteAsync(string key, ReadOnlyMemory<byte> utf8Payload, CancellationToken cancellationToken)
        {
            if (FailWrites > 0)
            {
                FailWrites--;
                throw new IOException("disk briefly unavailable");
            }

            Interlocked.Increment(ref Writes);
            return inner.WriteAsync(key, utf8Payload, cancellationToken);
        }

        public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            var bytes = LoseEverything ? null : await inner.ReadAsync(key, cancellationToken);
            if (Tamper && bytes is { Length: > 10 })
            {
                bytes[5] = (byte)'y';
            }

            return bytes;
        }

        public Task<int> DeleteAsync(string keyPrefix, CancellationToken cancellationToken) => inner.DeleteAsync(keyPrefix, cancellationToken);
    }

    private sealed class RenamedStore(IPayloadStore inner, string name) : IPayloadStore
    {
        public string Name => name;

        public Task WriteAsync(string key, ReadOnlyMemory<byte> utf8Payload, CancellationToken cancellationToken) => inner.WriteAsync(key, utf8Payload, cancellationToken);

        public Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

        public Task<int> DeleteAsync(string keyPrefix, CancellationToken cancellationToken) => inner.DeleteAsync(keyPrefix, cancellationToken);
    }
}
