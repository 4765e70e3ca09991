namespace Durable.Fluent;

/// <summary>
/// Base of every error Durable.Fluent raises. Errors a workflow can observe (a failed step, child, callback or invoke) are
/// rebuilt from the checkpointed error object on replay, so their type name and message are the same on every run.
/// </summary>
public class DurableExecutionException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public DurableExecutionException()
        : base("A durable execution error occurred.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public DurableExecutionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause, when known.</param>
    public DurableExecutionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
