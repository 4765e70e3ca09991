using Durable.Fluent.Checkpointing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing;

/// <summary>
/// The checkpoint port backed by a <see cref="LocalDurableEngine"/> in the same process. A refusal surfaces as the
/// <see cref="CheckpointException"/> the HTTP client builds from the service's error response (same error type, status and
/// message), so a workflow under the test runner fails with the error a deployed function would record, not with the
/// engine's own exception type.
/// </summary>
internal sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly LocalDurableEngine _engine;

    /// <summary>Creates the store.</summary>
    /// <param name="engine">The engine.</param>
    public InMemoryCheckpointStore(LocalDurableEngine engine) => _engine = engine;

    /// <summary>Number of checkpoint requests served.</summary>
    public int CheckpointRequests => _checkpointRequests;

    private int _checkpointRequests;

    /// <inheritdoc />
    public Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _checkpointRequests);
        try
        {
            return Task.FromResult(_engine.Checkpoint(durableExecutionArn, checkpointToken, updates));
        }
        catch (LocalEngineException ex)
        {
            throw AsClientSees(ex);
        }
    }

    /// <inheritdoc />
    public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return Task.FromResult(_engine.GetState(durableExecutionArn, checkpointToken, marker));
        }
        catch (LocalEngineException ex)
        {
            throw AsClientSees(ex);
        }
    }

    /// <summary>The exception the HTTP client throws for the error response the service sends for this refusal.</summary>
    private static CheckpointException AsClientSees(LocalEngineException refusal)
        => new(refusal.Message, refusal.ErrorCode, refusal.StatusCode);
}
