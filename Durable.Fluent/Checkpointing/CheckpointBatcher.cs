using Durable.Fluent.Diagnostics;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Checkpointing;

/// <summary>
/// Queues operation updates and sends them through the <see cref="ICheckpointStore"/> in batches, one request in flight at a
/// time. Asynchronous updates (for example an at-least-once step START) wait in the queue and travel with the next
/// synchronous one, so a step in steady state costs one request. Concurrent branches that wait to flush while a request is
/// in flight are carried together by the next request (group commit). The token flows from each response to the next
/// request. After a failed request the batcher is poisoned: every later flush rethrows that failure, because updates
/// that other branches were waiting on went down with it and the token chain is broken — the invocation must end. The
/// failure is reported at once (<c>onFailure</c>) so the invocation stops starting work before the error even reaches
/// the caller. Once sealed (the invocation is ending) the batcher queues nothing new.
/// </summary>
internal sealed class CheckpointBatcher
{
    private readonly ICheckpointStore _store;
    private readonly string _arn;
    private readonly Action<IReadOnlyList<Operation>> _onState;
    private readonly Action<Exception>? _onFailure;
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly object _queueGate = new();
    private List<OperationUpdate> _queue = new();
    private string? _token;
    private Exception? _failure;
    private volatile bool _sealed;

    public CheckpointBatcher(ICheckpointStore store, string arn, string token, Action<IReadOnlyList<Operation>> onState, Action<Exception>? onFailure = null)
    {
        _store = store;
        _arn = arn;
        _token = token;
        _onState = onState;
        _onFailure = onFailure;
    }

    /// <summary>The clock that times checkpoint requests for the <c>durable.checkpoint.*</c> metrics.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>The current checkpoint token.</summary>
    public string? Token => _token;

    /// <summary>The failure that poisoned the batcher (the first failed store call), or null.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Whether the service reported the execution terminal (a response without a token).</summary>
    public bool ExecutionTerminal { get; private set; }

    /// <summary>Queues an update without waiting for it to be sent.</summary>
    /// <exception cref="OperationCanceledException">The batcher is sealed: the invocation is ending.</exception>
    public void Enqueue(OperationUpdate update)
    {
        lock (_queueGate)
        {
            if (_sealed)
            {
                throw new OperationCanceledException($"The invocation is ending; the {update.Action} of operation {update.Id} is not checkpointed.");
            }

            _queue.Add(update);
        }
    }

    /// <summary>
    /// Refuses every later <see cref="Enqueue"/>: the invocation is ending, and what is already queued is all it may still
    /// send. Called when the run aborts.
    /// </summary>
    public void Seal()
    {
        lock (_queueGate)
        {
            _sealed = true;
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
                        result = await _store.CheckpointAsync(_arn, _token!, batch, cancellationToken).ConfigureAwait(false)
                            ?? throw new CheckpointException("The checkpoint store answered a CheckpointDurableExecution request with no result.", "InvalidResponse", 0);
                        OperationChecks.CheckAll(result.NewExecutionState?.Operations, "CheckpointDurableExecution response NewExecutionState");
                    }
                    catch (Exception ex)
                    {
                        Fail(ex);
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
                    if (result.NewExecutionState?.Operations is { Count: > 0 } ops)
                    {
                        _onState(ops);
                    }

                    if (result.CheckpointToken is null)
                    {
                        ExecutionTerminal = true;
                        break;
                    }

                    await ReadPagesAsync(result.NewExecutionState?.NextMarker, cancellationToken).ConfigureAwait(false);
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

    private void Fail(Exception ex)
    {
        Volatile.Write(ref _failure, ex);
        _onFailure?.Invoke(ex);
    }

    /// <summary>Reads the further state pages a checkpoint response announced, merging each. Any failure poisons the batcher.</summary>
    private async Task ReadPagesAsync(string? marker, CancellationToken cancellationToken)
    {
        try
        {
            var pager = new StatePager("checkpoint response");
            while (pager.Next(marker) is { } next)
            {
                var page = await _store.GetStateAsync(_arn, _token!, next, cancellationToken).ConfigureAwait(false);
                pager.Check(page);
                OperationChecks.CheckAll(page.Operations, "GetDurableExecutionState page");
                if (page.Operations is { Count: > 0 } more)
                {
                    _onState(more);
                }

                marker = page.NextMarker;
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
            throw;
        }
    }

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
