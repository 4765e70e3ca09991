using System.Text.Json;
using Durable.Fluent.Retries;

namespace Durable.Fluent;

/// <summary>Workflow-wide options, fixed at <c>Build()</c>.</summary>
public sealed record WorkflowOptions
{
    /// <summary>The defaults.</summary>
    public static WorkflowOptions Default { get; } = new();

    /// <summary>
    /// Serializer options for payloads that have no custom serializer (step results, child results, input and result).
    /// When <see langword="null"/> (the default), <c>Build()</c> uses the reflection-based
    /// <see cref="Serialization.DurableJson.DefaultOptions"/> and <c>Build(resolver)</c> uses
    /// <see cref="Serialization.DurableJson.CreateOptions"/> over the source-generated resolver. A built workflow's options
    /// always have it set.
    /// </summary>
    public JsonSerializerOptions? JsonOptions { get; init; }

    /// <summary>
    /// The retry strategy of steps that configure none. <see langword="null"/> means the documented SDK default
    /// (6 attempts, 5 s initial delay, 60 s maximum, ×2, full jitter).
    /// </summary>
    public IRetryStrategy? DefaultRetryStrategy { get; init; }

    /// <summary>
    /// How step results wait for their checkpoints: <see cref="CheckpointMode.Synchronous"/> (the default: no body runs on a
    /// result that is not durable) or <see cref="CheckpointMode.Pipelined"/> (results are passed on while their SUCCEED is in
    /// flight — far fewer round trips, at the price described on <see cref="CheckpointMode.Pipelined"/>).
    /// </summary>
    public CheckpointMode CheckpointMode { get; init; } = CheckpointMode.Synchronous;

    /// <summary>
    /// In <see cref="CheckpointMode.Pipelined"/> mode, the most at-least-once step results that may be passed on before their
    /// SUCCEED is acknowledged (default 32, at least 1): the most steps that run again after a crash. Ignored in synchronous mode.
    /// </summary>
    public int PipelineWindow { get; init; } = 32;

    /// <summary>
    /// Payload offload: payloads above the threshold (results over the 256 KiB checkpoint limit, by default) go to a
    /// payload store and checkpoints keep a reference; replays read them back. Null (the default) means off: an oversized
    /// step result fails the step, and an oversized child, map or parallel result re-runs its children on every replay.
    /// </summary>
    public Payloads.PayloadOffloadOptions? PayloadOffload { get; init; }

    /// <summary>Plugins that observe every execution of this workflow (instrumentation, audit, metrics).</summary>
    public IReadOnlyList<Plugins.IDurablePlugin> Plugins { get; init; } = [];
}
