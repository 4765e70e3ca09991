using Durable.Fluent.Checkpointing;

namespace Durable.Fluent.Payloads;

/// <summary>
/// Offloading a payload, or reading one back, failed. Offloaded payloads are part of the checkpoint, so this is a
/// <see cref="CheckpointException"/>: a transient failure (<see cref="CheckpointException.IsRetryable"/>: an I/O or network
/// error, a throttled or failing store) ends the invocation so the service retries it; anything else (a missing or altered
/// payload, the wrong store, no store configured) fails the execution with this message. <see cref="CheckpointException.ErrorCode"/>
/// says which.
/// </summary>
public sealed class PayloadStoreException : CheckpointException
{
    /// <summary>The store could not be reached or failed transiently (retryable).</summary>
    public const string Unavailable = "PayloadStore.Unavailable";

    /// <summary>The store refused the request (access denied, no such bucket): not retryable.</summary>
    public const string Rejected = "PayloadStore.Rejected";

    /// <summary>Nothing is stored under the referenced key.</summary>
    public const string NotFound = "PayloadStore.NotFound";

    /// <summary>The stored payload does not match the reference's size or SHA-256.</summary>
    public const string IntegrityMismatch = "PayloadStore.IntegrityMismatch";

    /// <summary>The reference names another store than the configured one.</summary>
    public const string WrongStore = "PayloadStore.WrongStore";

    /// <summary>A reference was met but no payload store is configured.</summary>
    public const string NotConfigured = "PayloadStore.NotConfigured";

    /// <summary>A payload starts like a reference but is not a valid one.</summary>
    public const string InvalidReference = "PayloadStore.InvalidReference";

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the store and key.</param>
    /// <param name="errorCode">One of the codes of this class.</param>
    /// <param name="statusCode">0 or 5xx for a transient failure, 4xx otherwise.</param>
    /// <param name="innerException">The underlying error.</param>
    public PayloadStoreException(string message, string errorCode, int statusCode, Exception? innerException = null)
        : base(message, errorCode, statusCode, innerException)
    {
    }

    /// <summary>
    /// Wraps what a store threw. A <see cref="PayloadStoreException"/> keeps its own code; anything else (an I/O or network
    /// error, an SDK exception) is treated as transient, so the invocation is retried rather than the execution failed.
    /// </summary>
    internal static PayloadStoreException Transient(string message, Exception inner)
        => inner as PayloadStoreException ?? new PayloadStoreException(message, Unavailable, 0, inner);
}
