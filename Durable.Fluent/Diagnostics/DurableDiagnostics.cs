namespace Durable.Fluent.Diagnostics;

/// <summary>
/// The names under which Durable.Fluent publishes traces and metrics. Both use the in-box
/// <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/> APIs, so any
/// OpenTelemetry SDK (or a plain <see cref="System.Diagnostics.ActivityListener"/>) picks them up with
/// <c>AddSource("Durable.Fluent")</c> and <c>AddMeter("Durable.Fluent")</c>. Nothing is recorded, and nothing is
/// allocated for telemetry, while no listener is attached. The README's Observability section lists every span, attribute
/// and instrument.
/// </summary>
public static class DurableDiagnostics
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: <c>Durable.Fluent</c>.</summary>
    public const string ActivitySourceName = "Durable.Fluent";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name: <c>Durable.Fluent</c>.</summary>
    public const string MeterName = "Durable.Fluent";

    /// <summary>The span of one handler invocation (the root of the invocation's spans).</summary>
    public const string InvocationSpanName = "durable.invocation";

    /// <summary>
    /// The trace id every span of an execution carries: the first 16 bytes of the SHA-256 of the execution ARN (UTF-8), so
    /// every invocation of one execution — in any process — joins the same trace.
    /// </summary>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <returns>The trace id.</returns>
    public static System.Diagnostics.ActivityTraceId TraceIdFor(string durableExecutionArn)
    {
        ArgumentException.ThrowIfNullOrEmpty(durableExecutionArn);
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(durableExecutionArn), hash);
        return System.Diagnostics.ActivityTraceId.CreateFromBytes(hash[..16]);
    }

    /// <summary>Attribute (tag) names on Durable.Fluent spans and metrics.</summary>
    public static class Attributes
    {
        /// <summary>The execution ARN (invocation and operation spans).</summary>
        public const string ExecutionArn = "durable.execution.arn";

        /// <summary>Whether the invocation is the execution's first (invocation span).</summary>
        public const string InvocationFirst = "durable.invocation.first";

        /// <summary>The Lambda request id, when known (invocation span).</summary>
        public const string InvocationRequestId = "durable.invocation.request_id";

        /// <summary>SUCCEEDED, FAILED or PENDING (invocation span, invocation metrics).</summary>
        public const string InvocationStatus = "durable.invocation.status";

        /// <summary>How many recorded operations the invocation replayed from the checkpoint log (invocation span).</summary>
        public const string ReplayedOperations = "durable.invocation.replayed_operations";

        /// <summary>The operation id (operation and attempt spans).</summary>
        public const string OperationId = "durable.operation.id";

        /// <summary>The operation name, when it has one.</summary>
        public const string OperationName = "durable.operation.name";

        /// <summary>The operation type: STEP, WAIT, CALLBACK, CHAINED_INVOKE or CONTEXT.</summary>
        public const string OperationType = "durable.operation.type";

        /// <summary>The sub-type token: Step, Wait, Callback, ChainedInvoke, RunInChildContext, Map, MapIteration, ...</summary>
        public const string OperationSubType = "durable.operation.subtype";

        /// <summary>The id of the enclosing context operation, when there is one.</summary>
        public const string OperationParentId = "durable.operation.parent_id";

        /// <summary>The operation's status when its span ends (a terminal status, or STARTED / PENDING when it is left waiting).</summary>
        public const string OperationStatus = "durable.operation.status";

        /// <summary>True on the span of an operation an earlier invocation started, which this invocation continues.</summary>
        public const string OperationResumed = "durable.operation.resumed";

        /// <summary>The attempt number, from 1 (attempt spans and step metrics).</summary>
        public const string Attempt = "durable.attempt";

        /// <summary>SUCCEEDED or FAILED (attempt spans and step metrics).</summary>
        public const string AttemptOutcome = "durable.attempt.outcome";

        /// <summary>On a failed attempt: whether a retry was scheduled.</summary>
        public const string RetryScheduled = "durable.retry.scheduled";

        /// <summary>On a failed attempt with a retry scheduled: the checkpointed delay before the next attempt, in seconds.</summary>
        public const string RetryDelaySeconds = "durable.retry.delay_seconds";

        /// <summary>The error type (the OpenTelemetry semantic convention), on failed spans.</summary>
        public const string ErrorType = "error.type";

        /// <summary>Checkpoint metrics: success or error.</summary>
        public const string CheckpointOutcome = "durable.checkpoint.outcome";

        /// <summary>Payload offload metrics: write or read.</summary>
        public const string PayloadDirection = "durable.payload.direction";
    }
}
