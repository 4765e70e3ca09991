using Durable.Fluent.Wire;

namespace Durable.Fluent;

/// <summary>
/// A durable operation (step, child context, callback, chained invoke, wait-for-condition) ended with an error.
/// <see cref="Error"/> is the checkpointed error object; <see cref="ErrorType"/> and <see cref="Exception.Message"/> are the
/// original error's type name and message, the same on the first run and on every replay.
/// </summary>
public abstract class DurableOperationException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationKind">What kind of operation failed ("Step", "Child context", ...), used in the message.</param>
    /// <param name="operationName">The operation name.</param>
    /// <param name="operationId">The operation id.</param>
    /// <param name="error">The checkpointed error.</param>
    /// <param name="innerException">The original exception (first run only).</param>
    protected DurableOperationException(string operationKind, string? operationName, string operationId, ErrorObject error, Exception? innerException)
        : base(error.ErrorMessage ?? $"{operationKind} '{operationName ?? operationId}' failed.", innerException)
    {
        OperationName = operationName;
        OperationId = operationId;
        Error = error;
    }

    /// <summary>The failed operation's name.</summary>
    public string? OperationName { get; }

    /// <summary>The failed operation's id.</summary>
    public string OperationId { get; }

    /// <summary>The checkpointed error object.</summary>
    public ErrorObject Error { get; }

    /// <summary>The original error's type name (for .NET exceptions the full type name).</summary>
    public string? ErrorType => Error.ErrorType;

    /// <summary>The original error's data, if any.</summary>
    public string? ErrorData => Error.ErrorData;
}

/// <summary>A step failed: its retry strategy gave up, or it was not retryable.</summary>
public sealed class StepFailedException : DurableOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The step name.</param>
    /// <param name="operationId">The step id.</param>
    /// <param name="error">The checkpointed error of the last attempt.</param>
    /// <param name="attempts">How many attempts ran.</param>
    /// <param name="innerException">The original exception (first run only).</param>
    public StepFailedException(string? operationName, string operationId, ErrorObject error, int attempts, Exception? innerException = null)
        : base("Step", operationName, operationId, error, innerException)
        => Attempts = attempts;

    /// <summary>How many attempts ran.</summary>
    public int Attempts { get; }
}

/// <summary>A child context (including a reusable workflow run as a child) failed.</summary>
public sealed class ChildContextFailedException : DurableOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The context name.</param>
    /// <param name="operationId">The context id.</param>
    /// <param name="error">The checkpointed error.</param>
    /// <param name="innerException">The original exception (first run only).</param>
    public ChildContextFailedException(string? operationName, string operationId, ErrorObject error, Exception? innerException = null)
        : base("Child context", operationName, operationId, error, innerException)
    {
    }
}

/// <summary>
/// The attempt of an at-most-once step was interrupted (the invocation ended while the step ran). The step is never re-run
/// blindly: this error goes through the step's retry strategy like any other failure.
/// </summary>
public sealed class StepInterruptedException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The step name.</param>
    /// <param name="attempt">The interrupted attempt (1-based).</param>
    public StepInterruptedException(string? operationName, int attempt)
        : base($"Step '{operationName}' attempt {attempt} was interrupted before it recorded a result (at-most-once semantics: it is not re-run without a retry decision).")
    {
        OperationName = operationName;
        Attempt = attempt;
    }

    /// <summary>The step name.</summary>
    public string? OperationName { get; }

    /// <summary>The interrupted attempt.</summary>
    public int Attempt { get; }
}

/// <summary>A step attempt ran past its soft timeout (<c>step.Timeout(...)</c>) and stopped when its token was cancelled.</summary>
public sealed class StepTimedOutException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The step name.</param>
    /// <param name="timeout">The timeout.</param>
    /// <param name="attempt">The attempt that timed out.</param>
    /// <param name="innerException">The cancellation the body stopped with.</param>
    public StepTimedOutException(string? operationName, TimeSpan timeout, int attempt, Exception? innerException = null)
        : base($"Step '{operationName}' attempt {attempt} did not finish within its timeout of {timeout}.", innerException)
    {
        OperationName = operationName;
        Timeout = timeout;
        Attempt = attempt;
    }

    /// <summary>The step name.</summary>
    public string? OperationName { get; }

    /// <summary>The timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The attempt that timed out.</summary>
    public int Attempt { get; }
}

/// <summary>
/// The workflow took a different path on replay than the checkpoint log records (a different operation type, sub-type or name
/// at the same position). The execution fails; this error is never checkpointed as an operation failure.
/// </summary>
public sealed class NonDeterministicExecutionException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What differs.</param>
    public NonDeterministicExecutionException(string message)
        : base(message)
    {
    }
}

/// <summary>The execution reached the limit of 3,000 operations.</summary>
public sealed class OperationLimitExceededException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The operation that would exceed the limit.</param>
    /// <param name="limit">The limit.</param>
    public OperationLimitExceededException(string? operationName, int limit)
        : base($"Operation '{operationName}' would exceed the limit of {limit} operations per execution. Batch work into child contexts or map batches, or split the work across executions (chained invoke).")
        => Limit = limit;

    /// <summary>The limit.</summary>
    public int Limit { get; }
}

/// <summary>A payload exceeded a size limit (checkpointed payload, response or callback body).</summary>
public sealed class PayloadTooLargeException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The operation whose payload is too large.</param>
    /// <param name="size">The payload size in bytes.</param>
    /// <param name="limit">The limit in bytes.</param>
    public PayloadTooLargeException(string? operationName, long size, long limit)
        : base($"The payload of operation '{operationName}' is {size:N0} bytes, over the limit of {limit:N0} bytes. Store large data elsewhere and checkpoint a reference, or turn on payload offload (WorkflowOptions.PayloadOffload), which does that for you.")
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The payload size in bytes.</summary>
    public long Size { get; }

    /// <summary>The limit in bytes.</summary>
    public long Limit { get; }
}

/// <summary>
/// The invocation input, or the execution state the service returned for it, is not a durable execution envelope we can
/// run: bytes that are not the envelope's JSON, a missing ARN or token, a null or untyped operation, a duplicate operation
/// id, no or two EXECUTION operations, an EXECUTION operation that does not match the ARN, an absurd timestamp, or state
/// paging that never ends (a repeated marker). The message names what is wrong and where. The Lambda entry throws it,
/// so the invocation is retried and nothing runs on state it cannot trust; only input the workflow cannot read as its
/// input type becomes a FAILED execution. See the README's "Errors" section for the full table.
/// </summary>
public sealed class InvalidInvocationInputException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, and where.</param>
    public InvalidInvocationInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, and where.</param>
    /// <param name="innerException">The parser's error.</param>
    public InvalidInvocationInputException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A workflow definition is invalid; raised by <c>Build()</c> and names the offending node.</summary>
public sealed class WorkflowDefinitionException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public WorkflowDefinitionException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Ends the current invocation at once, as if the Lambda process had died: nothing more is checkpointed by it and no
/// operation records a failure. The local test runner uses it to simulate crashes.
/// </summary>
public class InvocationTerminatedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the invocation ended.</param>
    public InvocationTerminatedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public InvocationTerminatedException()
        : base("The invocation was terminated.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the invocation ended.</param>
    /// <param name="innerException">The cause.</param>
    public InvocationTerminatedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Implement on an exception type to attach machine-readable data to its checkpointed error object.</summary>
public interface IErrorData
{
    /// <summary>The data, recorded as <c>ErrorData</c>.</summary>
    string? ErrorData { get; }
}
