using Durable.Fluent.Diagnostics;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Checkpointing;

/// <summary>
/// Queues operation updates and sends them through the <see cref="ICheckpointStore"/> in order, one request in flight at a
/// time; the token flows from each response to the next request.
/// <list type="bullet">
/// <item><b>Queued</b> updates (<see cref="Enqueue"/>: a map item's SUCCEED) travel with the next request; an at-least-once
/// START (<see cref="EnqueueSoon"/>) too, or alone in the background if no request has carried it within a short delay.</item>
/// <item><b>Synchronous</b> updates (<see cref="CheckpointAsync"/>: a wait's START, an at-most-once START, a RETRY) return when
/// they — and everything queued before them — are acknowledged.</item>
/// <item><b>Deferred</b> updates (<see cref="Defer"/>: a step's SUCCEED in synchronous mode) are owed by their
/// <see cref="CheckpointLane"/>, which passes the result on at once and settles the debt before it next runs user code
/// (<see cref="SettleAsync"/>): no body ever starts on a value that is not durable, and the SUCCEED rides with the lane's next
/// checkpoint instead of costing a request of its own.</item>
/// <item><b>Pipelined</b> updates (<see cref="PipelineAsync"/>: an at-least-once SUCCEED in pipelined mode) are sent in the
/// background while the lane goes on; at most <see cref="PipelineWindow"/> of them are unacknowledged at a time.</item>
/// </list>
/// <para><b>Group commit.</b> Lanes that wait while a request is in flight are carried together by the next one. A lane that
/// must send while other lanes (map or parallel workers) are still running first yields to them (up to a millisecond) so that
/// they can join the request — so ten map workers whose step bodies finish together share one request even against a fast
/// store. Lanes report when they start, end and park (<see cref="Fork"/>, <see cref="WorkerEnded"/>, <see cref="Resume"/>).</para>
/// <para><b>Failure.</b> After a failed request the batcher is poisoned: every later flush rethrows that failure, because
/// updates other lanes were waiting on went down with it and the token chain is broken — the invocation must end. The failure
/// is reported at once (<c>onFailure</c>) so the invocation stops starting work before the error reaches the caller. Once
/// sealed (the invocation is ending) the batcher queues nothing new; once closed (<see cref="DrainAsync"/>) it starts no
/// background request.</para>
/// </summary>
internal sealed class CheckpointBatcher
{
    /// <summary>
    /// How long a sending lane waits for lanes that are running user code (a step body) when none has arrived lately: a body
    /// that takes longer than this is not waited for.
    /// </summary>
    private static readonly TimeSpan LingerGap = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest a sending lane waits for lanes that are in the interpreter (between bodies: they are about to checkpoint).</summary>
    private static readonly TimeSpan LingerLimit = TimeSpan.FromMilliseconds(20);

    /// <summary>The default of <see cref="LingerYieldCap"/>.</summary>
    private const int DefaultLingerYieldCap = 4096;

    private readonly ICheckpointStore _store;
    private readonly string _arn;
    private readonly Action<IReadOnlyList<Operation>> _onState;
    private readonly Action<Exception>? _onFailure;
    private readonly object _gate = new();
    private readonly List<Waiter> _waiters = new();
    private readonly List<long> _pipelined = new();
    private List<OperationUpdate> _queue = new();
    private int _pipelinedHead;
    private long _enqueued;
    private long _acked;
    private bool _driving;
    private bool _sealed;
    private bool _closed;
    private int _busy = 1;
    private int _inUserCode;
    private string? _token;
    private Exception? _failure;
    private Task _background = Task.CompletedTask;
    private ITimer? _soonTimer;
    private bool _soonArmed;

    public CheckpointBatcher(ICheckpointStore store, string arn, string token, Action<IReadOnlyList<Operation>> onState, Action<Exception>? onFailure = null)
    {
        _store = store;
        _arn = arn;
        _token = token;
        _onState = onState;
        _onFailure = onFailure;
    }

    /// <summary>The current checkpoint token.</summary>
    public string? Token => Volatile.Read(ref _token);

    /// <summary>The failure that poisoned the batcher (the first failed store call), or null.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Whether the service reported the execution terminal (a response without a token).</summary>
    public bool ExecutionTerminal { get; private set; }

    /// <summary>The most pipelined updates that may be unacknowledged at a time (at least 1).</summary>
    public int PipelineWindow { get; init; } = 32;

    /// <summary>
    /// The clock that times checkpoint requests for the <c>durable.checkpoint.*</c> metrics and bounds how long a sending
    /// lane waits for its siblings to join a request.
    /// </summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>
    /// The most yields of one linger: a clock whose timestamps do not move (a virtual clock in tests) never ends a linger
    /// otherwise. Tests that pin the joining rule on such a clock raise it, so the rule does not depend on thread scheduling.
    /// </summary>
    public int LingerYieldCap { get; set; } = DefaultLingerYieldCap;

    /// <summary>
    /// Cancels checkpoint requests and stops the background (pipelined) sender: the invocation's own cancellation, not the
    /// run's abort switch. A lane's token only decides whether it still starts a request; a request already on its way is
    /// awaited, not abandoned — the service may have applied it, and the token chain and the updates it carries (other
    /// lanes' too) would be lost with it.
    /// </summary>
    public CancellationToken RequestCancellation { get; init; }

    /// <summary>Queues an update without waiting for it to be sent.</summary>
    /// <returns>The update's sequence number (1, 2, ...).</returns>
    /// <exception cref="OperationCanceledException">The batcher is sealed: the invocation is ending.</exception>
    public long Enqueue(OperationUpdate update)
    {
        lock (_gate)
        {
            return EnqueueLocked(update);
        }
    }

    /// <summary>
    /// Queues an update that needs no acknowledgement before the lane goes on (an at-least-once step's START): it rides with
    /// the next request any lane sends (typically with the same step's SUCCEED, as the JS SDK's START does when the body is
    /// quick), and if nothing has been sent within <paramref name="within"/> it is sent in the background, so a long body's
    /// START still reaches the service while the body runs.
    /// </summary>
    /// <exception cref="OperationCanceledException">The batcher is sealed: the invocation is ending.</exception>
    public void EnqueueSoon(OperationUpdate update, TimeSpan within)
    {
        lock (_gate)
        {
            EnqueueLocked(update);
            if (_soonArmed || _closed)
            {
                return;
            }

            _soonArmed = true;
            _soonTimer ??= Time.CreateTimer(static b => ((CheckpointBatcher)b!).SoonDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _soonTimer.Change(within, Timeout.InfiniteTimeSpan);
        }
    }

    private void SoonDue()
    {
        lock (_gate)
        {
            _soonArmed = false;
        }

        Kick();
    }

    /// <summary>
    /// Refuses every later <see cref="Enqueue"/>: the invocation is ending, and what is already queued is all it may still
    /// send. Called when the run aborts.
    /// </summary>
    public void Seal()
    {
        lock (_gate)
        {
            _sealed = true;
        }
    }

    /// <summary>Queues an update and waits until it (and everything queued before it) is acknowledged.</summary>
    public Task CheckpointAsync(OperationUpdate update, CancellationToken cancellationToken)
        => FlushToAsync(Enqueue(update), cancellationToken);

    /// <summary>Sends everything queued and waits until it is acknowledged.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
        => FlushToAsync(Interlocked.Read(ref _enqueued), cancellationToken);

    /// <summary>Queues an update that <paramref name="lane"/> owes: it must be acknowledged before the lane next runs user code.</summary>
    public void Defer(CheckpointLane lane, OperationUpdate update) => lane.Owe(Enqueue(update));

    /// <summary>Waits until everything <paramref name="lane"/> owes is acknowledged (sending it if nobody else is).</summary>
    public Task SettleAsync(CheckpointLane lane, CancellationToken cancellationToken)
    {
        var owed = lane.Owed;
        return owed > Interlocked.Read(ref _acked) ? FlushToAsync(owed, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>
    /// Queues a pipelined update and starts sending it in the background; returns at once unless more than
    /// <see cref="PipelineWindow"/> pipelined updates would be unacknowledged, in which case it waits until the oldest are.
    /// </summary>
    public Task PipelineAsync(OperationUpdate update, CancellationToken cancellationToken)
    {
        long waitFor = 0;
        bool kick;
        lock (_gate)
        {
            var sequence = EnqueueLocked(update);
            _pipelined.Add(sequence);
            var unacknowledged = _pipelined.Count - _pipelinedHead;
            if (unacknowledged > PipelineWindow)
            {
                waitFor = _pipelined[_pipelinedHead + (unacknowledged - PipelineWindow - 1)];
            }

            kick = !_driving;
        }

        if (kick)
        {
            // Like the JS SDK's setImmediate: the lane goes on first, so what it checkpoints next (a wait's START) can still
            // join this request; the request starts as soon as a thread is free.
            ThreadPool.UnsafeQueueUserWorkItem(static b => b.Kick(), this, preferLocal: false);
        }

        return waitFor > 0 ? FlushToAsync(waitFor, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>A lane forks <paramref name="workers"/> lanes and waits for them: they run, it is parked.</summary>
    public void Fork(int workers) => Interlocked.Add(ref _busy, workers - 1);

    /// <summary>A forked lane ended.</summary>
    public void WorkerEnded() => Interlocked.Decrement(ref _busy);

    /// <summary>The forking lane runs again (its workers have ended).</summary>
    public void Resume() => Interlocked.Increment(ref _busy);

    /// <summary>A lane starts running user code (a step body, a condition check): it may take any time.</summary>
    public void EnterUserCode() => Interlocked.Increment(ref _inUserCode);

    /// <summary>The lane is back in the interpreter: it will checkpoint soon.</summary>
    public void ExitUserCode() => Interlocked.Decrement(ref _inUserCode);

    /// <summary>
    /// Closes the batcher at the end of the invocation: no background request starts any more, and the one in flight (if
    /// any) has ended when the task completes. Never throws (a background failure is reported through <see cref="Failure"/>).
    /// </summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            _closed = true;
            _soonTimer?.Dispose();
            return _background;
        }
    }

    private long EnqueueLocked(OperationUpdate update)
    {
        if (_sealed)
        {
            throw new OperationCanceledException($"The invocation is ending; the {update.Action} of operation {update.Id} is not checkpointed.");
        }

        _queue.Add(update);
        return ++_enqueued;
    }

    /// <summary>Waits until the update with sequence number <paramref name="target"/> is acknowledged; the caller is a lane.</summary>
    private Task FlushToAsync(long target, CancellationToken cancellationToken)
    {
        Waiter? waiter = null;
        lock (_gate)
        {
            if (_failure is { } failure)
            {
                return Task.FromException(failure);
            }

            if (_acked >= target)
            {
                return Task.CompletedTask;
            }

            Interlocked.Decrement(ref _busy);
            if (_driving)
            {
                waiter = new Waiter(target);
                _waiters.Add(waiter);
            }
            else
            {
                _driving = true;
            }
        }

        return waiter is null ? DriveAsync(background: false, cancellationToken) : WaitAsync(waiter, cancellationToken);
    }

    private async Task WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        // Released when its update is acknowledged, when the batcher fails, or handed the sending role (true). A waiter does
        // not watch the token itself: the request in flight does, and its failure releases everyone.
        if (await waiter.Signal.Task.ConfigureAwait(false))
        {
            await DriveAsync(background: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the background sender of pipelined updates (on this thread-pool thread) unless something is being sent.</summary>
    private void Kick()
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_driving || _closed || _failure is not null || _queue.Count == 0)
            {
                return;
            }

            _driving = true;
            done = TrackBackgroundLocked();
        }

        _ = RunBackgroundAsync(done);
    }

    /// <summary>Hands the sending role (held by the caller, a lane) to a new background sender on the thread pool.</summary>
    private void StartBackgroundLocked()
    {
        var done = TrackBackgroundLocked();
        _ = Task.Run(() => RunBackgroundAsync(done), CancellationToken.None);
    }

    /// <summary>Registers a background sender with <see cref="DrainAsync"/>; it completes the returned source when it ends.</summary>
    private TaskCompletionSource TrackBackgroundLocked()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _background = _background.IsCompleted ? done.Task : Task.WhenAll(_background, done.Task);
        return done;
    }

    /// <summary>Runs the background sender; never throws (a failure poisons the batcher and is reported through <c>onFailure</c>).</summary>
    private async Task RunBackgroundAsync(TaskCompletionSource done)
    {
        try
        {
            await DriveAsync(background: true, RequestCancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException || ReferenceEquals(ex, Failure))
        {
            // Cancelled before anything was sent, or the failure that poisoned the batcher (already reported).
        }
        finally
        {
            done.TrySetResult();
        }
    }

    /// <summary>
    /// Sends what is queued; the caller holds the sending role. A lane sends one batch (everything queued when it starts,
    /// which covers its own update), then hands the role to a waiting lane, to a background sender (pipelined updates are
    /// left), or gives it up. The background sender keeps sending until the queue is empty.
    /// </summary>
    private async Task DriveAsync(bool background, CancellationToken cancellationToken)
    {
        var gaveUp = false;
        try
        {
            while (true)
            {
                if (!background)
                {
                    await LingerAsync(cancellationToken).ConfigureAwait(false);
                }

                List<OperationUpdate> pending;
                long last;
                lock (_gate)
                {
                    if (_failure is { } failure)
                    {
                        // Another sender failed meanwhile: nothing more may be sent.
                        gaveUp = true;
                        if (!background)
                        {
                            Interlocked.Increment(ref _busy);
                        }

                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                    }

                    if (cancellationToken.IsCancellationRequested)
                    {
                        // Nothing was sent: give the role up (to a waiting lane, which may still send) without poisoning.
                        gaveUp = true;
                        PassOnLocked(lane: !background);
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    pending = _queue;
                    _queue = new List<OperationUpdate>();
                    last = _enqueued;
                }

                if (pending.Count > 0)
                {
                    // From here on the lane's cancellation (the run aborting) no longer applies: see RequestCancellation.
                    await SendAsync(pending, RequestCancellation).ConfigureAwait(false);
                }

                lock (_gate)
                {
                    Acknowledge(last);
                    if (background && _queue.Count > 0 && !_closed)
                    {
                        continue;
                    }

                    PassOnLocked(lane: !background);
                    return;
                }
            }
        }
        catch (Exception) when (gaveUp)
        {
            throw; // given up before sending (see above): not a new failure of the store
        }
        catch (Exception ex)
        {
            Fail(ex, lane: !background);
            if (!background)
            {
                throw;
            }
        }
    }

    /// <summary>
    /// The caller gives the sending role up: to a waiting lane (its update is not acknowledged yet), to a new background
    /// sender (pipelined updates are queued), or to nobody. A lane that gives it up is running again.
    /// </summary>
    private void PassOnLocked(bool lane)
    {
        if (lane)
        {
            Interlocked.Increment(ref _busy);
        }

        if (_waiters.Count > 0)
        {
            var next = _waiters[0];
            _waiters.RemoveAt(0);
            next.Signal.TrySetResult(true);
        }
        else if (lane && _queue.Count > 0 && _pipelined.Count > _pipelinedHead && !_closed)
        {
            StartBackgroundLocked();
        }
        else
        {
            _driving = false;
        }
    }

    /// <summary>
    /// While other lanes are running (map or parallel workers), yields to them so that the request carries every lane that is
    /// about to checkpoint: lanes in the interpreter are waited for (up to <see cref="LingerLimit"/>), lanes in user code
    /// only while some lane arrived within the last <see cref="LingerGap"/> — a long body is not waited for. A flow with no
    /// other running lane (a sequential workflow) does not wait at all.
    /// </summary>
    private async ValueTask LingerAsync(CancellationToken cancellationToken)
    {
        var busy = Volatile.Read(ref _busy);
        if (busy <= 0)
        {
            return;
        }

        var started = Time.GetTimestamp();
        var lastArrival = started;
        for (var i = 0; i < LingerYieldCap && Volatile.Read(ref _failure) is null && !cancellationToken.IsCancellationRequested; i++)
        {
            await Task.Yield();
            var now = Busy();
            if (now <= 0)
            {
                return;
            }

            if (now != busy)
            {
                busy = now;
                lastArrival = Time.GetTimestamp();
            }

            var onlyUserCode = now <= Volatile.Read(ref _inUserCode);
            if ((onlyUserCode && Time.GetElapsedTime(lastArrival) >= LingerGap) || Time.GetElapsedTime(started) >= LingerLimit)
            {
                return;
            }
        }
    }

    private int Busy() => Volatile.Read(ref _busy);

    /// <summary>Marks everything up to <paramref name="last"/> acknowledged and releases the lanes that waited for it.</summary>
    private void Acknowledge(long last)
    {
        Volatile.Write(ref _acked, last);
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Target <= last)
            {
                Interlocked.Increment(ref _busy);
                _waiters[i].Signal.TrySetResult(false);
                _waiters.RemoveAt(i);
            }
        }

        while (_pipelinedHead < _pipelined.Count && _pipelined[_pipelinedHead] <= last)
        {
            _pipelinedHead++;
        }

        if (_pipelinedHead == _pipelined.Count)
        {
            _pipelined.Clear();
            _pipelinedHead = 0;
        }
    }

    private void Fail(Exception ex, bool lane)
    {
        Exception failure;
        lock (_gate)
        {
            failure = _failure ??= ex;
            foreach (var w in _waiters)
            {
                Interlocked.Increment(ref _busy);
                w.Signal.TrySetException(failure);
            }

            _waiters.Clear();
            _driving = false;
            if (lane)
            {
                Interlocked.Increment(ref _busy);
            }
        }

        _onFailure?.Invoke(ex);
    }

    /// <summary>Sends <paramref name="pending"/> in request-sized batches, merging each response's state.</summary>
    private async Task SendAsync(List<OperationUpdate> pending, CancellationToken cancellationToken)
    {
        if (ExecutionTerminal || Token is null)
        {
            // The execution already ended: the service accepts nothing more (orphaned updates are dropped).
            return;
        }

        // Each request carries the token of the previous response, whose length may differ from the one the split was sized
        // with (the token counts toward the request limit): when it grew, what is left is split again.
        var batches = Split(pending);
        var splitFor = Token!.Length;
        var offset = 0;
        for (var next = 0; next < batches.Count; next++)
        {
            if (Token!.Length > splitFor)
            {
                batches = Split(pending.GetRange(offset, pending.Count - offset));
                splitFor = Token.Length;
                next = 0;
            }

            var batch = batches[next];
            offset += batch.Count;
            CheckpointResult result;
            var measured = Instruments.CheckpointMetricsEnabled;
            var sentAt = measured ? Time.GetTimestamp() : 0;
            try
            {
                result = await _store.CheckpointAsync(_arn, Token!, batch, cancellationToken).ConfigureAwait(false)
                    ?? throw new CheckpointException("The checkpoint store answered a CheckpointDurableExecution request with no result.", "InvalidResponse", 0);
                OperationChecks.CheckAll(result.NewExecutionState?.Operations, "CheckpointDurableExecution response NewExecutionState");
            }
            catch (Exception) when (measured)
            {
                Measure(batch, sentAt, succeeded: false);
                throw;
            }

            if (measured)
            {
                Measure(batch, sentAt, succeeded: true);
            }

            Volatile.Write(ref _token, result.CheckpointToken);
            if (result.NewExecutionState?.Operations is { Count: > 0 } ops)
            {
                _onState(ops);
            }

            if (result.CheckpointToken is null)
            {
                ExecutionTerminal = true;
                return;
            }

            await ReadPagesAsync(result.NewExecutionState?.NextMarker, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Reads the further state pages a checkpoint response announced, merging each.</summary>
    private async Task ReadPagesAsync(string? marker, CancellationToken cancellationToken)
    {
        var pager = new StatePager("checkpoint response");
        while (pager.Next(marker) is { } next)
        {
            var page = await _store.GetStateAsync(_arn, Token!, next, cancellationToken).ConfigureAwait(false);
            pager.Check(page);
            OperationChecks.CheckAll(page.Operations, "GetDurableExecutionState page");
            if (page.Operations is { Count: > 0 } more)
            {
                _onState(more);
            }

            marker = page.NextMarker;
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
        long fixedBytes = (Token?.Length ?? 0) + CheckpointBatchLimits.RequestOverheadBytes;
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
                return CheckpointBatchLimits.Split(updates, Token);
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
        long chars = u.Id.Length + (u.ParentId?.Length ?? 0) + (u.Name?.Length ?? 0) + (u.SubType?.Length ?? 0) + (u.Payload?.Length ?? 0)
            + (u.ChainedInvokeOptions?.FunctionName?.Length ?? 0) + (u.ChainedInvokeOptions?.TenantId?.Length ?? 0)
            + (u.ChainedInvokeOptions?.XAmznTraceId?.Length ?? 0);
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

        // 6 bytes per character (every string field) covers \uXXXX escaping; 512 covers field names, enums and numbers.
        return (chars * 6) + 512;
    }

    /// <summary>A lane waiting for the update with sequence number <see cref="Target"/>.</summary>
    private sealed class Waiter(long target)
    {
        public long Target { get; } = target;

        /// <summary>true: the lane now holds the sending role; false: its update is acknowledged.</summary>
        public TaskCompletionSource<bool> Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
