namespace Durable.Fluent.Payloads;

/// <summary>
/// Turns on payload offload: a serialized payload larger than <see cref="ThresholdBytes"/> is written to
/// <see cref="Store"/> and the checkpoint keeps a <see cref="PayloadReference"/>. Applies to step results, child context,
/// map and parallel results (which would otherwise fall back to re-running their children on every replay),
/// wait-for-condition states, and an execution result over the 6 MiB response limit. Offloaded references met on replay —
/// and callback results, chained-invoke results and execution inputs that are references — are read back transparently.
/// Set it on <see cref="WorkflowOptions.PayloadOffload"/> (travels with the definition) or
/// <see cref="DurableRunOptions.PayloadOffload"/> (per host; wins when both are set).
/// </summary>
public sealed record PayloadOffloadOptions
{
    /// <summary>The checkpoint limit of one payload, 256 KiB: the largest (and default) threshold.</summary>
    public const int MaxThresholdBytes = 256 * 1024;

    /// <summary>Creates the options.</summary>
    /// <param name="store">Where offloaded payloads go.</param>
    public PayloadOffloadOptions(IPayloadStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
    }

    /// <summary>Where offloaded payloads go.</summary>
    public IPayloadStore Store { get; init; }

    /// <summary>
    /// Payloads whose UTF-8 size is above this many bytes are offloaded; from 0 (offload every non-empty payload) to
    /// <see cref="MaxThresholdBytes"/> (the default: offload only what could not be checkpointed).
    /// </summary>
    public int ThresholdBytes
    {
        get => _threshold;
        init => _threshold = value is >= 0 and <= MaxThresholdBytes
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ThresholdBytes), value, $"The offload threshold must be between 0 and {MaxThresholdBytes:N0} bytes (the checkpoint limit of one payload).");
    }

    private readonly int _threshold = MaxThresholdBytes;
}
