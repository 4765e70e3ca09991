using Durable.Fluent.Wire;

namespace Durable.Fluent;

/// <summary>
/// Base of every error Durable.Fluent raises. Errors that a workflow can observe carry an <see cref="ErrorType"/> and message that
/// are identical on the first run and on every replay, because on replay they are rebuilt from the checkpointed <see cref="ErrorObject"/>.
/// </summary>
public class DurableExecutionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause, when known (first run only).</param>
    public DurableExecutionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
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
}
