using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Durable.Fluent.Diagnostics;

/// <summary>The process-wide <see cref="ActivitySource"/>, <see cref="Meter"/> and instruments (see the README's Observability section).</summary>
internal static class Instruments
{
    private static readonly string Version = typeof(Instruments).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    public static readonly ActivitySource Source = new(DurableDiagnostics.ActivitySourceName, Version);

    public static readonly Meter Meter = new(DurableDiagnostics.MeterName, Version);

    public static readonly Counter<long> Invocations = Meter.CreateCounter<long>("durable.invocations", "{invocation}", "Handler invocations, by outcome (durable.invocation.status).");

    public static readonly Histogram<double> InvocationDuration = Meter.CreateHistogram<double>("durable.invocation.duration", "s", "Duration of a handler invocation, by outcome.");

    public static readonly Counter<long> Suspensions = Meter.CreateCounter<long>("durable.suspensions", "{invocation}", "Invocations that ended PENDING: the execution suspended on a wait, callback, invoke or retry.");

    public static readonly Histogram<double> ReplayDuration = Meter.CreateHistogram<double>("durable.replay.duration", "s", "Time an invocation spent replaying recorded operations before it reached new work (invocations with a checkpoint log only).");

    public static readonly Counter<long> ReplayedOperations = Meter.CreateCounter<long>("durable.replay.operations", "{operation}", "Recorded operations reached during replay (returned or re-observed from the checkpoint log).");

    public static readonly Counter<long> OperationsStarted = Meter.CreateCounter<long>("durable.operations.started", "{operation}", "Operations started, by type (durable.operation.type, durable.operation.subtype).");

    public static readonly Counter<long> Operations = Meter.CreateCounter<long>("durable.operations", "{operation}", "Operations that reached a terminal status, by type and status (durable.operation.status); each counted once per execution.");

    public static readonly Counter<long> Attempts = Meter.CreateCounter<long>("durable.step.attempts", "{attempt}", "Step attempts and wait-for-condition polls run, by sub-type and outcome (durable.attempt.outcome).");

    public static readonly Histogram<double> AttemptDuration = Meter.CreateHistogram<double>("durable.step.attempt.duration", "s", "Duration of a step attempt's body, by sub-type and outcome.");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("durable.step.retries", "{retry}", "Durable retries scheduled (a RETRY checkpoint), by sub-type.");

    public static readonly Counter<long> CheckpointRequests = Meter.CreateCounter<long>("durable.checkpoint.requests", "{request}", "Checkpoint requests sent to the checkpoint store, by outcome (durable.checkpoint.outcome).");

    public static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram<double>("durable.checkpoint.duration", "s", "Duration of a checkpoint request, by outcome.");

    public static readonly Counter<long> CheckpointUpdates = Meter.CreateCounter<long>("durable.checkpoint.updates", "{update}", "Operation updates sent in checkpoint requests.");

    public static readonly Counter<long> CheckpointBytes = Meter.CreateCounter<long>("durable.checkpoint.payload_bytes", "By", "UTF-8 bytes of the payloads and errors carried by checkpoint requests.");

    public static readonly Counter<long> PayloadOffloads = Meter.CreateCounter<long>("durable.payload.offloads", "{payload}", "Payloads written to or read from the payload store (durable.payload.direction).");

    public static readonly Counter<long> PayloadOffloadBytes = Meter.CreateCounter<long>("durable.payload.offload_bytes", "By", "UTF-8 bytes of payloads written to or read from the payload store.");

    /// <summary>Whether anything listens: a sampled-or-not <see cref="ActivityListener"/> on the source, or any enabled instrument.</summary>
    public static bool IsEnabled => Source.HasListeners() || AnyMetricEnabled;

    private static bool AnyMetricEnabled =>
        Invocations.Enabled || InvocationDuration.Enabled || Suspensions.Enabled || ReplayDuration.Enabled || ReplayedOperations.Enabled
        || OperationsStarted.Enabled || Operations.Enabled || Attempts.Enabled || AttemptDuration.Enabled || Retries.Enabled;

    /// <summary>Whether any checkpoint instrument is enabled (checked per request, so it must stay cheap).</summary>
    public static bool CheckpointMetricsEnabled => CheckpointRequests.Enabled || CheckpointDuration.Enabled || CheckpointUpdates.Enabled || CheckpointBytes.Enabled;
}
