using System.Text.Json;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent;

/// <summary>
/// The outside system reported failure for a callback (SendDurableExecutionCallbackFailure). <see cref="DurableOperationException.Error"/>
/// is exactly the error it sent, so <see cref="DurableOperationException.ErrorType"/> and the message are the sender's
/// (for example <c>RejectedError</c> / <c>not approved</c>), on the first run and on replay.
/// </summary>
public sealed class CallbackFailedException : DurableOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The callback (or wait-for-callback) name.</param>
    /// <param name="operationId">The operation id.</param>
    /// <param name="error">The error the outside system sent.</param>
    /// <param name="innerException">The original exception, if any.</param>
    public CallbackFailedException(string? operationName, string operationId, ErrorObject error, Exception? innerException = null)
        : base("Callback", operationName, operationId, error, innerException)
    {
    }
}

/// <summary>Which timer expired on a callback.</summary>
public enum CallbackTimeoutKind
{
    /// <summary>The overall timeout (ErrorType <c>Callback.Timeout</c>).</summary>
    Timeout,

    /// <summary>No heartbeat within the heartbeat timeout (ErrorType <c>Callback.Heartbeat</c>).</summary>
    Heartbeat,
}

/// <summary>
/// A callback timed out: no result within its timeout, or no heartbeat within its heartbeat timeout. This is an expected
/// outcome of waiting on the outside world, not a bug: branch on it with <c>.Try(...).Catch&lt;CallbackTimedOutException&gt;(...)</c>
/// or the <c>onTimeout:</c> overloads of <c>AwaitCallback</c> / <c>WaitForCallback</c>. <see cref="DurableOperationException.ErrorType"/>
/// is the service's <c>Callback.Timeout</c> or <c>Callback.Heartbeat</c>.
/// </summary>
public sealed class CallbackTimedOutException : DurableOperationException
{
    /// <summary>The ErrorType the service records for an overall timeout.</summary>
    public const string TimeoutErrorType = "Callback.Timeout";

    /// <summary>The ErrorType the service records for a heartbeat timeout.</summary>
    public const string HeartbeatErrorType = "Callback.Heartbeat";

    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The callback (or wait-for-callback) name.</param>
    /// <param name="operationId">The operation id.</param>
    /// <param name="error">The checkpointed error (ErrorType <c>Callback.Timeout</c> or <c>Callback.Heartbeat</c>).</param>
    public CallbackTimedOutException(string? operationName, string operationId, ErrorObject error)
        : base("Callback", operationName, operationId, error, null)
        => Kind = string.Equals(error?.ErrorType, HeartbeatErrorType, StringComparison.Ordinal) ? CallbackTimeoutKind.Heartbeat : CallbackTimeoutKind.Timeout;

    /// <summary>Which timer expired.</summary>
    public CallbackTimeoutKind Kind { get; }

    /// <summary>Whether the heartbeat timeout (rather than the overall timeout) expired.</summary>
    public bool IsHeartbeatTimeout => Kind == CallbackTimeoutKind.Heartbeat;

    internal static bool IsTimeoutType(string? errorType)
        => string.Equals(errorType, TimeoutErrorType, StringComparison.Ordinal) || string.Equals(errorType, HeartbeatErrorType, StringComparison.Ordinal);

    /// <summary>The error recorded for an unhandled timeout: the service's type, and a message that says how to handle it.</summary>
    internal static ErrorObject Describe(string? name, ErrorObject? serviceError, int timeoutSeconds, int heartbeatSeconds)
    {
        var heartbeat = string.Equals(serviceError?.ErrorType, HeartbeatErrorType, StringComparison.Ordinal);
        var what = heartbeat
            ? $"received no heartbeat for {(heartbeatSeconds > 0 ? $"{heartbeatSeconds} s" : "its heartbeat timeout")}"
            : $"received no result within {(timeoutSeconds > 0 ? $"{timeoutSeconds} s" : "its timeout")}";
        return new ErrorObject
        {
            ErrorType = heartbeat ? HeartbeatErrorType : TimeoutErrorType,
            ErrorMessage = $"Callback '{name ?? "(unnamed)"}' timed out: it {what}. A timeout is an expected outcome of waiting on the outside world; "
                + "handle it with .Try(b => b.AwaitCallback(...), h => h.Catch<CallbackTimedOutException>(...)) "
                + "or the onTimeout: overload of AwaitCallback/WaitForCallback.",
            ErrorData = serviceError?.ErrorData,
        };
    }
}

/// <summary>
/// The submitter step of a wait-for-callback failed after its retries. The callback was created but is left open (nothing
/// will await it). <see cref="SubmitterError"/> is the submitter's last error.
/// </summary>
public sealed class CallbackSubmitterFailedException : DurableOperationException
{
    /// <summary>The ErrorType recorded on the wait-for-callback context.</summary>
    public const string ErrorTypeName = "Durable.Fluent.CallbackSubmitterFailedException";

    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The wait-for-callback name.</param>
    /// <param name="operationId">The wait-for-callback context id.</param>
    /// <param name="error">The checkpointed error (its ErrorData holds the submitter's error as JSON).</param>
    /// <param name="innerException">The submitter's exception (first run only).</param>
    public CallbackSubmitterFailedException(string? operationName, string operationId, ErrorObject error, Exception? innerException = null)
        : base("Callback submitter", operationName, operationId, error, innerException)
    {
        SubmitterError = Read(error.ErrorData);
    }

    /// <summary>The submitter's last error (type and message as the step recorded them).</summary>
    public ErrorObject? SubmitterError { get; }

    internal static ErrorObject Describe(string? name, ErrorObject stepError, int attempts) => new()
    {
        ErrorType = ErrorTypeName,
        ErrorMessage = $"The submitter of callback '{name ?? "(unnamed)"}' failed after {attempts} attempt(s): {stepError.ErrorMessage}",
        ErrorData = JsonSerializer.Serialize(new ErrorObject { ErrorType = stepError.ErrorType, ErrorMessage = stepError.ErrorMessage, ErrorData = stepError.ErrorData }, WireJson.Info<ErrorObject>(WireJson.Envelope)),
    };

    private static ErrorObject? Read(string? data)
    {
        if (string.IsNullOrEmpty(data))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(data, WireJson.Info<ErrorObject>(WireJson.Envelope));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// A wait-for-condition failed: its check threw, or its strategy gave up (<see cref="Retries.WaitForConditionExhaustedException"/>).
/// <see cref="DurableOperationException.ErrorData"/> holds the last state as serialized payload text; read it with <c>LastState&lt;TState&gt;(...)</c>.
/// </summary>
public sealed class WaitForConditionFailedException : DurableOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The operation name.</param>
    /// <param name="operationId">The operation id.</param>
    /// <param name="error">The checkpointed error; ErrorData is the last state.</param>
    /// <param name="attempts">How many polls ran.</param>
    /// <param name="innerException">The original exception (first run only).</param>
    public WaitForConditionFailedException(string? operationName, string operationId, ErrorObject error, int attempts, Exception? innerException = null)
        : base("Wait-for-condition", operationName, operationId, error, innerException)
        => Attempts = attempts;

    /// <summary>How many polls ran.</summary>
    public int Attempts { get; }

    /// <summary>Whether the strategy gave up (rather than the check throwing).</summary>
    public bool IsExhausted => string.Equals(ErrorType, typeof(Retries.WaitForConditionExhaustedException).FullName, StringComparison.Ordinal);

    /// <summary>Deserializes the last state with reflection-based JSON.</summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="options">Serializer options; <see cref="DurableJson.DefaultOptions"/> when omitted.</param>
    /// <returns>The last state, or default when none was recorded.</returns>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("Reflection-based JSON; under trimming or Native AOT call LastState(AppJson.Default.MyState) with source-generated metadata.")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("Reflection-based JSON; under trimming or Native AOT call LastState(AppJson.Default.MyState) with source-generated metadata.")]
    public TState? LastState<TState>(JsonSerializerOptions? options = null)
        => LastState(DurableJson.TypeInfo<TState>(options ?? DurableJson.DefaultOptions, $"the last state of wait-for-condition '{OperationName}'"));

    /// <summary>Deserializes the last state with source-generated metadata (trimming and Native AOT safe).</summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="typeInfo">The state's metadata, e.g. <c>AppJson.Default.JobStatus</c>.</param>
    /// <returns>The last state, or default when none was recorded.</returns>
    public TState? LastState<TState>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<TState> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return string.IsNullOrEmpty(ErrorData) ? default : JsonSerializer.Deserialize(ErrorData, typeInfo);
    }
}

/// <summary>
/// A chained invoke ended without a result: the target failed (this type), timed out (<see cref="InvokeTimedOutException"/>)
/// or was stopped (<see cref="InvokeStoppedException"/>). Catch this type to handle all three. <see cref="DurableOperationException.Error"/>
/// is the target's error.
/// </summary>
public class InvokeFailedException : DurableOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The invoke operation's name.</param>
    /// <param name="operationId">The operation id.</param>
    /// <param name="error">The target's error.</param>
    public InvokeFailedException(string? operationName, string operationId, ErrorObject error)
        : base("Invoke", operationName, operationId, error, null)
    {
    }

    /// <summary>Creates the exception for a subclass.</summary>
    /// <param name="kind">The operation kind used in a default message.</param>
    /// <param name="operationName">The invoke operation's name.</param>
    /// <param name="operationId">The operation id.</param>
    /// <param name="error">The target's error.</param>
    protected InvokeFailedException(string kind, string? operationName, string operationId, ErrorObject error)
        : base(kind, operationName, operationId, error, null)
    {
    }
}

/// <summary>A chained invoke timed out.</summary>
public sealed class InvokeTimedOutException : InvokeFailedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The invoke operation's name.</param>
    /// <param name="operationId">The operation id.</param>
    /// <param name="error">The recorded error.</param>
    public InvokeTimedOutException(string? operationName, string operationId, ErrorObject error)
        : base("Invoke (timed out)", operationName, operationId, error)
    {
    }
}

/// <summary>A chained invoke's target execution was stopped.</summary>
public sealed class InvokeStoppedException : InvokeFailedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationName">The invoke operation's name.</param>
    /// <param name="operationId">The operation id.</param>
    /// <param name="error">The recorded error.</param>
    public InvokeStoppedException(string? operationName, string operationId, ErrorObject error)
        : base("Invoke (stopped)", operationName, operationId, error)
    {
    }
}
