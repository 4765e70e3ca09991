using Durable.Fluent.Wire;

namespace Durable.Fluent.Checkpointing;

/// <summary>
/// Queues operation updates and sends them through the <see cref="ICheckpointStore"/> in batches, one request in flight at a
/// time. Asynchronous updates (for example an at-least-once step START) wait in the queue and travel with the next
/// synchronous one, so a step in steady state costs one request. The token flows from each response to the next request.
/// </summary>
internal sealed class CheckpointBatcher
{
    /// <summary>Maximum updates per request.</summary>
    public const int MaxOperationsPerBatch = 200;

    /// <summary>Maximum estimated request size in bytes.</summary>
    public const int MaxBatchBytes = 750 * 1024;

    private readonly ICheckpointStore _store;
    private readonly string _arn;
    private readonly Action<IReadOnlyList<Operation>> _onState;
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly object _queueGate = new();
    private List<OperationUpdate> _queue = new();
    private string? _token;

    public CheckpointBatcher(ICheckpointStore store, string arn, string token, Action<IReadOnlyList<Operation>> onState)
    {
        _store = store;
        _arn = arn;
        _token = token;
        _onState = onState;
    }

    /// <summary>The current checkpoint token.</summary>
    public string? Token => _token;

    /// <summary>Whether the service reported the execution terminal (a response without a token).</summary>
    public bool ExecutionTerminal { get; private set; }

    /// <summary>Number of checkpoint requests sent.</summary>
    public int RequestCount { get; private set; }

    public bool HasPending
    {
        get
        {
            lock (_queueGate)
            {
                return _queue.Count > 0;
            }
        }
    }

    /// <summary>Queues an update without waiting for it to be sent.</summary>
    public void Enqueue(OperationUpdate update)
    {
        lock (_queueGate)
        {
            _queue.Add(update);
        }
    }

    /// <summary>Queues an update and waits until it (and everything queued before it) is acknowledged.</summary>
    public Task CheckpointAsync(OperationUpdate update, CancellationToken cancellationToken)
    {
        Enqueue(update);
        return FlushAsync(cancellationToken);
    }

    /// <summary>Sends everything queued.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                List<OperationUpdate> pending;
                lock (_queueGate)
                {
                    if (_queue.Count == 0)
                    {
                        return;
                    }

                    pending = _queue;
                    _queue = new List<OperationUpdate>();
                }

                if (ExecutionTerminal || _token is null)
                {
                    // The execution already ended: the service accepts nothing more (orphaned updates are dropped).
                    continue;
                }

                foreach (var batch in Split(pending))
                {
                    var result = await _store.CheckpointAsync(_arn, _token!, batch, cancellationToken).ConfigureAwait(false);
                    RequestCount++;
                    _token = result.CheckpointToken;
                    if (result.NewExecutionState.Operations is { Count: > 0 } ops)
                    {
                        _onState(ops);
                    }

                    if (result.CheckpointToken is null)
                    {
                        ExecutionTerminal = true;
                        break;
                    }

                    var marker = result.NewExecutionState.NextMarker;
                    while (!string.IsNullOrEmpty(marker))
                    {
                        var page = await _store.GetStateAsync(_arn, _token!, marker, cancellationToken).ConfigureAwait(false);
                        if (page.Operations is { Count: > 0 } more)
                        {
                            _onState(more);
                        }

                        marker = page.NextMarker;
                    }
                }
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>Splits updates into batches of at most 200 updates and about 750 KiB; an oversized update goes alone.</summary>
    internal static IEnumerable<IReadOnlyList<OperationUpdate>> Split(List<OperationUpdate> updates)
    {
        if (updates.Count <= MaxOperationsPerBatch && Estimate(updates) <= MaxBatchBytes)
        {
            yield return updates;
            yield break;
        }

        var batch = new List<OperationUpdate>();
        long size = 0;
        foreach (var u in updates)
        {
            var s = Estimate(u);
            if (batch.Count > 0 && (batch.Count >= MaxOperationsPerBatch || size + s > MaxBatchBytes))
            {
                yield return batch;
                batch = new List<OperationUpdate>();
                size = 0;
            }

            batch.Add(u);
            size += s;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static long Estimate(List<OperationUpdate> updates)
    {
        long total = 0;
        foreach (var u in updates)
        {
            total += Estimate(u);
        }

        return total;
    }

    private static long Estimate(OperationUpdate u)
        => 256 + u.Id.Length + (u.ParentId?.Length ?? 0) + (u.Name?.Length ?? 0) + (2L * (u.Payload?.Length ?? 0))
            + (u.Error is null ? 0 : 2L * ((u.Error.ErrorMessage?.Length ?? 0) + (u.Error.ErrorData?.Length ?? 0) + (u.Error.StackTrace?.Sum(l => l.Length) ?? 0)));
}
