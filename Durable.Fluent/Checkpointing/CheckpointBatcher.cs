using Durable.Fluent.Diagnostics;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Checkpointing;

/// <summary>
/// Queues operation updates and sends them through the <see cref="ICheckpointStore"/> in batches, one request in flight at a
/// time. Asynchronous updates (for example an at-least-once step START) wait in the queue and travel with the next
/// synchronous one, so a step in steady state costs one request. Concurrent branches that wait to flush while a request is
/// in flight are carried together by the next request (group commit). The token flows from each response to the next
/// request. After a failed request the batcher is poisoned: every later flush rethrows that failure, because updates
/// that other branches were waiting on went down with it and the token chain is broken — the invocation must end.
/// </summary>
internal sealed class CheckpointBatcher
{
    private readonly ICheckpointStore _store;
    private readonly string _arn;
    private readonly Action<IReadOnlyList<Operation>> _onState;
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly object _queueGate = new();
    private List<OperationUpdate> _queue = new();
    private string? _token;
    private Exception? _failure;

    public CheckpointBatcher(ICheckpointStore store, string arn, string token, Action<IReadOnlyList<Operation>> onState)
    {
        _store = store;
        _arn = arn;
        _token = token;
        _onState = onState;
    }

    /// <summary>The clock that times checkpoint requests for the <c>durable.checkpoint.*</c> metrics.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>The current checkpoint token.</summary>
    public string? Token => _token;

    /// <summary>Whether the service reported the execution terminal (a response without a token).</summary>
    public bool ExecutionTerminal { get; private set; }

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
            if (_failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure);
            }

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
                    CheckpointResult result;
                    var measured = Instruments.CheckpointMetricsEnabled;
                    var sentAt = measured ? Time.GetTimestamp() : 0;
                    try
                    {
                        result = await _store.CheckpointAsync(_arn, _token!, batch, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        _failure = ex;
                        if (measured)
                        {
                            Measure(batch, sentAt, succeeded: false);
                        }

                        throw;
                    }

                    if (measured)
                    {
                        Measure(batch, sentAt, succeeded: true);
                    }

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

    private void Measure(IReadOnlyList<OperationUpdate> batch, long sentAt, bool succeeded)
    {
        var outcome = new KeyValuePair<string, object?>(DurableDiagnostics.Attributes.CheckpointOutcome, succeeded ? "success" : "error");
        Instruments.CheckpointRequests.Add(1, outcome);
        Instruments.CheckpointDuration.Record(Time.GetElapsedTime(sentAt).TotalSeconds, outcome);
        Instruments.CheckpointUpdates.Add(batch.Count);
        if (Instruments.CheckpointBytes.Enabled)
        {
            long bytes = 0;
            foreach (var u in batch)
            {
                bytes += Utf8(u.Payload);
                if (u.Error is { } e)
                {
                    bytes += Utf8(e.ErrorType) + Utf8(e.ErrorMessage) + Utf8(e.ErrorData);
                }
            }

            Instruments.CheckpointBytes.Add(bytes);
        }
    }

    private static int Utf8(string? text) => text is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(text);

    /// <summary>
    /// Splits updates into request-sized batches. In steady state a batch holds a few small updates: an upper bound on
    /// their JSON size (every character escaped) proves they fit, so nothing is serialized twice on the hot path.
    /// </summary>
    internal IReadOnlyList<IReadOnlyList<OperationUpdate>> Split(List<OperationUpdate> updates)
    {
        // Greedy splitting by exact size closes a batch when it holds MaxOperationsPerRequest updates or the next update
        // would overflow it. When every chunk of MaxOperationsPerRequest consecutive updates fits by the upper bound, size
        // never closes a batch, so the greedy batches are exactly those chunks: no update needs to be serialized.
        var max = CheckpointBatchLimits.MaxOperationsPerRequest;
        var chunks = (updates.Count + max - 1) / max;
        long fixedBytes = (_token?.Length ?? 0) + CheckpointBatchLimits.RequestOverheadBytes;
        for (var c = 0; c < chunks; c++)
        {
            var bound = fixedBytes;
            var end = Math.Min(updates.Count, (c + 1) * max);
            for (var i = c * max; i < end; i++)
            {
                bound += UpperBound(updates[i]);
            }

            if (bound > CheckpointBatchLimits.MaxRequestBytes)
            {
                return CheckpointBatchLimits.Split(updates, _token);
            }
        }

        if (chunks <= 1)
        {
            return [updates];
        }

        var batches = new IReadOnlyList<OperationUpdate>[chunks];
        for (var c = 0; c < chunks; c++)
        {
            batches[c] = updates.GetRange(c * max, Math.Min(max, updates.Count - (c * max)));
        }

        return batches;
    }

    private static long UpperBound(OperationUpdate u)
    {
        long chars = u.Id.Length + (u.ParentId?.Length ?? 0) + (u.Name?.Length ?? 0) + (u.SubType?.Length ?? 0) + (u.Payload?.Length ?? 0);
        if (u.Error is { } e)
        {
            chars += (e.ErrorMessage?.Length ?? 0) + (e.ErrorType?.Length ?? 0) + (e.ErrorData?.Length ?? 0);
            if (e.StackTrace is { } st)
            {
                foreach (var line in st)
                {
                    chars += line.Length + 3;
                }
            }
        }

        // 6 bytes per character covers \uXXXX escaping; 512 covers field names, enums and options.
        return (chars * 6) + 512;
    }
}
