namespace Durable.Fluent.Checkpointing;

/// <summary>
/// A checkpoint or state request failed. <see cref="IsRetryable"/> tells the Lambda entry whether to throw (so the service
/// retries the invocation: throttling, 5xx, network errors, a stale checkpoint token) or to fail the execution (other 4xx).
/// </summary>
public class CheckpointException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="errorCode">The service's error type, for example <c>InvalidParameterValueException</c>.</param>
    /// <param name="statusCode">The HTTP status code, or 0 for a network error.</param>
    /// <param name="innerException">The underlying error.</param>
    public CheckpointException(string message, string? errorCode, int statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
    }

    /// <summary>The service's error type.</summary>
    public string? ErrorCode { get; }

    /// <summary>The HTTP status code, or 0 for a network error.</summary>
    public int StatusCode { get; }

    /// <summary>
    /// Whether the invocation should be retried rather than the execution failed: 429, 5xx, network errors (status 0)
    /// and <c>InvalidParameterValueException</c> whose message starts with <c>Invalid Checkpoint Token</c>.
    /// </summary>
    public bool IsRetryable => StatusCode == 0 || StatusCode == 429 || StatusCode >= 500
        || (ErrorCode == "InvalidParameterValueException" && Message.StartsWith("Invalid Checkpoint Token", StringComparison.Ordinal));
}
