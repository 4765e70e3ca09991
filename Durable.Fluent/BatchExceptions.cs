using Durable.Fluent.Wire;

namespace Durable.Fluent;

/// <summary>
/// A parallel branch or map item failed. <see cref="DurableOperationException.ErrorType"/> and the message are the original
/// error's, rebuilt from the checkpoint, so they are the same on the first run and on replay.
/// </summary>
public sealed class BatchItemFailedException : DurableOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The branch or item name.</param>
    /// <param name="operationId">The branch or item (context or virtual) id.</param>
    /// <param name="index">The zero-based branch or item index.</param>
    /// <param name="error">The checkpointed error.</param>
    public BatchItemFailedException(string? operationName, string operationId, int index, ErrorObject error)
        : base("Batch item", operationName, operationId, error, null)
        => Index = index;

    /// <summary>The zero-based branch or item index.</summary>
    public int Index { get; }
}

/// <summary>
/// A parallel or map configuration is invalid (max concurrency below 1, min successful outside 1..count, tolerated failures
/// out of range). Raised when the operation is reached, before anything is checkpointed, so the operation records no events.
/// </summary>
public sealed class BatchConfigurationException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public BatchConfigurationException(string message)
        : base(message)
    {
    }
}
