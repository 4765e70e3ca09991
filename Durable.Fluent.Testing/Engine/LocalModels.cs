using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing.Engine;

/// <summary>A request to create an execution in the local engine.</summary>
internal sealed record StartExecutionRequest
{
    /// <summary>The function name (used in the ARN).</summary>
    public string FunctionName { get; init; } = "durable-function";

    /// <summary>The execution name (1–64 of <c>[a-zA-Z0-9-_]</c>); generated when omitted.</summary>
    public string? ExecutionName { get; init; }

    /// <summary>The input as JSON text.</summary>
    public string? InputPayload { get; init; }

    /// <summary>
    /// The execution timeout in seconds: the function's <c>DurableConfig.ExecutionTimeout</c>, 1–31,622,400 (366 days, the
    /// default: the longest the service allows). Recorded on ExecutionStarted and enforced: when it has passed since the
    /// start, the execution ends TIMED_OUT with an <c>ExecutionTimedOut</c> event.
    /// </summary>
    public int ExecutionTimeoutSeconds { get; init; } = LocalDurableEngine.MaxExecutionTimeoutSeconds;

    /// <summary>The function version or alias that runs (<c>$LATEST</c> by default).</summary>
    public string Qualifier { get; init; } = "$LATEST";

    /// <summary>The tenant id, when the execution was started for a tenant (Invoke's <c>X-Amz-Tenant-Id</c>).</summary>
    public string? TenantId { get; init; }

    /// <summary>The X-Ray trace header the execution was started with (Invoke's <c>X-Amzn-Trace-Id</c>, or a chained invoke's <c>XAmznTraceId</c>).</summary>
    public string? TraceHeader { get; init; }

    /// <summary>
    /// How many days the execution is kept once it has ended (the function's <c>DurableConfig.RetentionPeriodInDays</c>,
    /// 1–90); then it is purged and reading it answers 404. <see langword="null"/> uses the engine's
    /// <see cref="LocalEngineOptions.RetentionPeriodInDays"/>.
    /// </summary>
    public int? RetentionPeriodInDays { get; init; }
}

/// <summary>The outcome of one handler invocation, reported to the engine when it ends.</summary>
internal sealed record InvocationOutcome
{
    private InvocationOutcome()
    {
    }

    /// <summary>The handler's output, when it returned.</summary>
    public DurableExecutionInvocationOutput? Output { get; private init; }

    /// <summary>The Lambda-level error, when the invocation crashed or threw.</summary>
    public ErrorObject? InvocationError { get; private init; }

    /// <summary>The handler returned <paramref name="output"/>.</summary>
    /// <param name="output">The output.</param>
    /// <returns>The outcome.</returns>
    public static InvocationOutcome Returned(DurableExecutionInvocationOutput output) => new() { Output = output };

    /// <summary>The invocation died (process exit, timeout, unhandled error): the service retries the invocation.</summary>
    /// <param name="errorType">For example <c>Runtime.ExitError</c>.</param>
    /// <param name="message">The message.</param>
    /// <returns>The outcome.</returns>
    public static InvocationOutcome Crashed(string errorType, string message)
        => new() { InvocationError = new ErrorObject { ErrorType = errorType, ErrorMessage = message } };
}

/// <summary>What GetDurableExecution reports about an execution.</summary>
public sealed record ExecutionSnapshot
{
    /// <summary>The ARN.</summary>
    public required string DurableExecutionArn { get; init; }

    /// <summary>The execution name.</summary>
    public required string DurableExecutionName { get; init; }

    /// <summary>The function ARN.</summary>
    public required string FunctionArn { get; init; }

    /// <summary>The status.</summary>
    public required ExecutionStatus Status { get; init; }

    /// <summary>The input JSON.</summary>
    public string? InputPayload { get; init; }

    /// <summary>The result JSON, when succeeded.</summary>
    public string? Result { get; init; }

    /// <summary>The error, when failed, timed out or stopped.</summary>
    public ErrorObject? Error { get; init; }

    /// <summary>When the execution started.</summary>
    public DateTimeOffset StartTimestamp { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndTimestamp { get; init; }

    /// <summary>The function version that runs it.</summary>
    public string Version { get; init; } = "$LATEST";

    /// <summary>The X-Ray trace header (<c>X-Amzn-Trace-Id</c>) the execution was started with, if any: GetDurableExecution's <c>TraceHeader.XAmznTraceId</c>.</summary>
    public string? TraceHeader { get; init; }

    /// <summary>The tenant id the execution was started for (Invoke's <c>X-Amz-Tenant-Id</c>), if any. The API model returns it on no execution read; the local service passes it on to the function it invokes.</summary>
    public string? TenantId { get; init; }

    /// <summary>The execution timeout in seconds (GetDurableExecution's <c>DurableConfig.ExecutionTimeout</c>), if any.</summary>
    public int? ExecutionTimeoutSeconds { get; init; }

    /// <summary>How many days the execution is kept once it has ended (<c>DurableConfig.RetentionPeriodInDays</c>), or <see langword="null"/> when the engine keeps it.</summary>
    public int? RetentionPeriodInDays { get; init; }
}

/// <summary>A chained invoke the engine recorded and a host must run.</summary>
/// <param name="ParentArn">The calling execution.</param>
/// <param name="OperationId">The CHAINED_INVOKE operation id.</param>
/// <param name="FunctionName">The target.</param>
/// <param name="Payload">The serialized input.</param>
/// <param name="TenantId">The tenant, if any.</param>
/// <param name="TraceHeader">The X-Ray trace header to start the target with (<c>ChainedInvokeOptions.XAmznTraceId</c>), if any.</param>
internal sealed record ChainedInvokeRequest(string ParentArn, string OperationId, string FunctionName, string? Payload, string? TenantId, string? TraceHeader = null);

/// <summary>How a host started a chained invoke: the child execution's ARN and the version that runs.</summary>
/// <param name="ChildExecutionArn">The child execution ARN (or a request id for a plain function).</param>
/// <param name="ExecutedVersion">The version that runs, e.g. <c>$LATEST</c>.</param>
internal sealed record ChainedInvokeStart(string ChildExecutionArn, string ExecutedVersion);
