using Durable.Fluent.Wire;

namespace Durable.Fluent.Checkpointing;

/// <summary>
/// The checkpoint port: the two calls a durable function makes to the durable execution service.
/// Implementations: the AWS API over HTTP, the in-memory engine of the local runner, the local durable service.
/// Small on purpose, so a unit test can mock it (for example with Moq).
/// </summary>
public interface ICheckpointStore
{
    /// <summary>Sends a batch of operation updates (CheckpointDurableExecution).</summary>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <param name="checkpointToken">The current checkpoint token.</param>
    /// <param name="updates">The updates, in order; may be empty to refresh state.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new token (absent once the execution is terminal) and the operations changed since the caller last saw them.</returns>
    /// <exception cref="CheckpointException">The service rejected the request or could not be reached.</exception>
    Task<CheckpointResult> CheckpointAsync(
        string durableExecutionArn,
        string checkpointToken,
        IReadOnlyList<OperationUpdate> updates,
        CancellationToken cancellationToken);

    /// <summary>Reads one page of execution state (GetDurableExecutionState).</summary>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <param name="checkpointToken">The current checkpoint token.</param>
    /// <param name="marker">The marker of the page to read.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page.</returns>
    /// <exception cref="CheckpointException">The service rejected the request or could not be reached.</exception>
    Task<ExecutionState> GetStateAsync(
        string durableExecutionArn,
        string checkpointToken,
        string marker,
        CancellationToken cancellationToken);
}

/// <summary>The answer to a checkpoint request.</summary>
/// <param name="CheckpointToken">The token for the next request; <see langword="null"/> once the execution is terminal.</param>
/// <param name="NewExecutionState">Operations changed since the caller last saw them, to merge by id.</param>
public sealed record CheckpointResult(string? CheckpointToken, ExecutionState NewExecutionState);
