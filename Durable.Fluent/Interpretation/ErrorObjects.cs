using Durable.Fluent.Wire;

namespace Durable.Fluent.Interpretation;

/// <summary>Builds the checkpointed <see cref="ErrorObject"/> of an exception.</summary>
internal static class ErrorObjects
{
    private const int MaxStackLines = 50;

    /// <summary>
    /// The error object for <paramref name="error"/>. A durable operation error records the original error it carries
    /// (type and message), so an error keeps its identity as it travels up through children and to the execution.
    /// </summary>
    public static ErrorObject From(Exception error)
    {
        if (error is DurableOperationException op)
        {
            return op.Error;
        }

        var stack = error.StackTrace?
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Take(MaxStackLines)
            .ToArray();
        return new ErrorObject
        {
            ErrorType = error.GetType().FullName ?? error.GetType().Name,
            ErrorMessage = error.Message,
            ErrorData = error is IErrorData data ? data.ErrorData : null,
            StackTrace = stack is { Length: > 0 } ? stack : null,
        };
    }
}

