namespace Durable.Fluent;

/// <summary>How a workflow waits for the checkpoints of its step results (<see cref="WorkflowOptions.CheckpointMode"/>).</summary>
public enum CheckpointMode
{
    /// <summary>
    /// The default. A step's result is durable before any user code runs on it: the next step body, a wait-for-condition
    /// check or a callback submitter starts only after the result's SUCCEED is acknowledged. The SUCCEED travels with the
    /// next checkpoint (the next step's START, a wait's START, an at-most-once START), so a step in steady state costs one
    /// request, and a wait or an at-most-once step after it costs none extra.
    /// </summary>
    Synchronous,

    /// <summary>
    /// Opt-in. An at-least-once step's result is passed on while its SUCCEED is still in flight; the SUCCEEDs are sent in the
    /// background, many per request, at most <see cref="WorkflowOptions.PipelineWindow"/> unacknowledged at a time. Everything
    /// is flushed before an at-most-once START, before a callback is created or a chained invoke starts, before a wait or a
    /// retry, and before the invocation suspends or returns. The price: if the invocation dies, up to the window's worth of
    /// at-least-once steps run again — and a step that runs again may produce a different value than the one the following
    /// steps already received before the crash.
    /// </summary>
    Pipelined,
}
