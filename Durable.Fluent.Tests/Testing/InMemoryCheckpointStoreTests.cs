using Durable.Fluent.Checkpointing;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.Testing;

/// <summary>
/// The test runner's checkpoint port fails the way the HTTP client does: a refusal is the <see cref="CheckpointException"/>
/// built from the service's error (type, status, message, retryability), not the engine's own exception type, so a
/// workflow under test records the error a deployed function would.
/// </summary>
public class InMemoryCheckpointStoreTests
{
    [Test]
    public async Task A_refused_checkpoint_is_the_CheckpointException_the_client_would_throw()
    {
        var engine = new LocalDurableEngine(new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero)));
        var store = new InMemoryCheckpointStore(engine);
        var arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "refused", InputPayload = "1" });
        var token = engine.BeginInvocation(arn).CheckpointToken!;
        var unknown = arn.Replace("/refused/", "/never-started/", StringComparison.Ordinal);
        var expected = Assert.Throws<LocalEngineException>(() => engine.Checkpoint(unknown, token, [Step("s1", OperationAction.Start)]))!;

        var refused = Assert.ThrowsAsync<CheckpointException>(() => store.CheckpointAsync(unknown, token, [Step("s1", OperationAction.Start)], CancellationToken.None))!;

        Assert.That(refused.GetType(), Is.EqualTo(typeof(CheckpointException)), "the client's exception type, not the engine's");
        Assert.That((refused.ErrorCode, refused.StatusCode, refused.Message), Is.EqualTo((expected.ErrorCode, expected.StatusCode, expected.Message)));
        Assert.That(refused.StatusCode, Is.EqualTo(404));
        Assert.That(refused.IsRetryable, Is.False, "a 4xx refusal fails the execution");

        var stale = Assert.ThrowsAsync<CheckpointException>(() => store.GetStateAsync(arn, "not-a-token", string.Empty, CancellationToken.None))!;
        Assert.That(stale.GetType(), Is.EqualTo(typeof(CheckpointException)));
        Assert.That(stale.StatusCode, Is.EqualTo(400));
        Assert.That(stale.IsRetryable, Is.EqualTo(stale.Message.StartsWith("Invalid Checkpoint Token", StringComparison.Ordinal)), "retryable exactly as the client's");

        var result = await store.CheckpointAsync(arn, token, [Step("s1", OperationAction.Start), Step("s1", OperationAction.Succeed)], CancellationToken.None);
        Assert.That(result.CheckpointToken, Is.Not.Null, "an accepted checkpoint still answers");
    }

    private static OperationUpdate Step(string id, OperationAction action)
        => new() { Id = id, Type = OperationType.Step, SubType = "Step", Name = "work", Action = action, Payload = action == OperationAction.Succeed ? "2" : null };
}
