using System.Text.Json;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Checkpointing;

/// <summary>
/// The limits of one CheckpointDurableExecution request, and a splitter that keeps batches within them.
/// The size estimate is the one the JS SDK uses: the UTF-8 JSON size of each update (as <see cref="WireJson.Rest"/>
/// writes it), plus the checkpoint token's length, plus <see cref="RequestOverheadBytes"/>.
/// </summary>
public static class CheckpointBatchLimits
{
    /// <summary>At most this many updates per request (as the .NET SDK; Python allows 250).</summary>
    public const int MaxOperationsPerRequest = 200;

    /// <summary>At most this many estimated bytes per request: 750 KiB.</summary>
    public const int MaxRequestBytes = 750 * 1024;

    /// <summary>Bytes added to every estimate for the request envelope.</summary>
    public const int RequestOverheadBytes = 100;

    /// <summary>The estimated size of one update: its UTF-8 JSON length.</summary>
    /// <param name="update">The update.</param>
    /// <returns>The size in bytes.</returns>
    public static int EstimateSize(OperationUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return JsonSerializer.SerializeToUtf8Bytes(update, WireJson.Info<OperationUpdate>(WireJson.Rest)).Length;
    }

    /// <summary>
    /// Splits <paramref name="updates"/>, in order, into batches of at most <see cref="MaxOperationsPerRequest"/> updates
    /// whose estimated size (updates + token + <see cref="RequestOverheadBytes"/>) is at most <see cref="MaxRequestBytes"/>.
    /// An update that alone exceeds the size limit is sent in a batch of its own (the service decides whether to accept
    /// it). An empty list gives no batches.
    /// </summary>
    /// <param name="updates">The updates, in the order they must be sent.</param>
    /// <param name="checkpointToken">The checkpoint token (its length counts toward every batch); may be <see langword="null"/>.</param>
    /// <returns>The batches, in order; together they contain every update exactly once.</returns>
    public static IReadOnlyList<IReadOnlyList<OperationUpdate>> Split(IReadOnlyList<OperationUpdate> updates, string? checkpointToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var fixedBytes = (checkpointToken?.Length ?? 0) + RequestOverheadBytes;
        var batches = new List<IReadOnlyList<OperationUpdate>>();
        var current = new List<OperationUpdate>();
        long currentBytes = fixedBytes;
        foreach (var update in updates)
        {
            var size = EstimateSize(update);
            var full = current.Count >= MaxOperationsPerRequest || currentBytes + size > MaxRequestBytes;
            if (current.Count > 0 && full)
            {
                batches.Add(current);
                current = [];
                currentBytes = fixedBytes;
            }

            current.Add(update);
            currentBytes += size;
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches;
    }
}
