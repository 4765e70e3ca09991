using Durable.Fluent.Checkpointing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing;

/// <summary>The checkpoint port backed by a <see cref="LocalDurableEngine"/> in the same process.</summary>
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
        return Task.FromResult(_engine.Checkpoint(durableExecutionArn, checkpointToken, updates));
    }

    /// <inheritdoc />
    public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_engine.GetState(durableExecutionArn, checkpointToken, marker));
    }
}
