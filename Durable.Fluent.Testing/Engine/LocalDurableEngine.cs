using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing.Engine;

/// <summary>
/// An in-process emulation of the durable execution service: executions, operations, checkpoint tokens, validation of
/// updates, history events, timers (waits, retries, callback timeouts and heartbeats) and callbacks. The local test runner
/// drives it on a virtual clock; the local durable service drives it on real time with a persistent store.
/// Every public member is thread-safe; each execution has its own lock, so calls on different executions run in parallel
/// and calls on one execution run one at a time.
/// <para>
/// Cost at scale: starting, saving and reading an execution do not depend on how many executions exist (names and callback
/// ids are looked up in tables, and with a state store in its indexes). With a state store only the executions that have
/// not ended are kept in memory, plus a bounded cache of ended ones (<see cref="LocalEngineOptions.CachedEndedExecutions"/>);
/// without one every execution stays in memory until its retention period has passed. With a retention period
/// (<see cref="LocalEngineOptions.RetentionPeriodInDays"/> or the start request's), an ended execution is purged that many
/// days after it ended, from memory and from the store; reading it then is a 404, as on AWS.
/// </para>
/// </summary>
internal sealed class LocalDurableEngine
{
    private const string Account = "123456789012";

    /// <summary>The longest execution timeout the service accepts (366 days): the default when none is given.</summary>
    public const int MaxExecutionTimeoutSeconds = 31_622_400;

    /// <summary>The shortest retention period the service accepts, in days (RetentionPeriodInDays).</summary>
    public const int MinRetentionPeriodInDays = 1;

    /// <summary>The longest retention period the service accepts, in days (RetentionPeriodInDays).</summary>
    public const int MaxRetentionPeriodInDays = 90;

    /// <summary>How many ARNs one purge round takes from the state store.</summary>
    private const int PurgeBatch = 500;

    // Each execution has its own lock (ExecutionRecord.Gate): calls on different executions run in parallel. A call keeps
    // the lock until its save is durable; the asynchronous calls (StartExecutionAsync, BeginInvocationAsync,
    // CheckpointAsync, EndInvocationAsync: the service's hot path) wait for the save without holding a thread. The tables
    // below are concurrent; _loadGate serializes loading an execution from the store (so it is loaded once), _cacheGate
    // guards the cache list and _expiryGate the purge queue. No thread waits for a second execution's lock while it holds
    // one (evicting from the cache only tries), so the locks cannot deadlock.
    private readonly ConcurrentDictionary<string, ExecutionRecord> _executions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Arn, string OperationId)> _callbacks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Function, string Name), ExecutionRecord> _names = new();
    private readonly object _loadGate = new();
    private readonly object _cacheGate = new();
    private readonly LinkedList<ExecutionRecord> _cache = new();
    private readonly object _expiryGate = new();
    private readonly PriorityQueue<ExecutionRecord, DateTimeOffset> _expiry = new();
    private readonly TimeProvider _time;
    private readonly LocalEngineOptions _options;
    private readonly IEngineStateStore? _stateStore;
    private long _executionCounter;

    /// <summary>Creates an engine.</summary>
    /// <param name="time">The clock (a virtual clock in tests).</param>
    /// <param name="options">Options.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public LocalDurableEngine(TimeProvider time, LocalEngineOptions? options = null)
    {
        _time = time;
        _options = options ?? new LocalEngineOptions();
        if (_options.RetentionPeriodInDays is < MinRetentionPeriodInDays or > MaxRetentionPeriodInDays)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.RetentionPeriodInDays, $"RetentionPeriodInDays must be {MinRetentionPeriodInDays}–{MaxRetentionPeriodInDays} days, or null to keep ended executions.");
        }

        if (_options.CachedEndedExecutions < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.CachedEndedExecutions, "CachedEndedExecutions must be 0 or more.");
        }
    }

    /// <summary>
    /// Creates an engine whose state lives in <paramref name="stateStore"/>: loads the executions that have not ended (so
    /// their timers fire), loads an ended one when it is asked for, and saves each mutated execution before the mutating
    /// call returns.
    /// </summary>
    internal LocalDurableEngine(TimeProvider time, LocalEngineOptions? options, IEngineStateStore stateStore)
        : this(time, options)
    {
        _stateStore = stateStore;
        _executionCounter = stateStore.MaxSeq();
        foreach (var arn in stateStore.OpenArns())
        {
            if (stateStore.Load(arn) is { } rec)
            {
                Attach(rec);
            }
        }
    }

    /// <summary>Raised (outside the engine lock) when a CHAINED_INVOKE is started; the host runs the target.</summary>
    public Func<ChainedInvokeRequest, ChainedInvokeStart>? ChainedInvokeStarter { get; set; }

    /// <summary>How many executions are in memory: the running ones plus the cached ended ones (a cost figure for tests and benchmarks).</summary>
    internal int LoadedExecutions => _executions.Count;

    /// <summary>Creates an execution and records ExecutionStarted (EventId 1).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The execution ARN.</returns>
    /// <exception cref="LocalEngineException">An invalid name, timeout or retention period (400), or a name the function already used (409).</exception>
    public string StartExecution(StartExecutionRequest request) => Wait(StartExecutionAsync(request));

    /// <summary>
    /// <see cref="StartExecution"/> without holding a thread while the new execution is saved: the task completes once it is
    /// durable (the ARN is answered only then).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <returns>The execution ARN.</returns>
    /// <exception cref="LocalEngineException">An invalid name, timeout or retention period (400), or a name the function already used (409).</exception>
    public async Task<string> StartExecutionAsync(StartExecutionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var n = Interlocked.Increment(ref _executionCounter);
        var name = request.ExecutionName ?? $"execution-{n:D6}";
        if (name.Length is < 1 or > 64 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new LocalEngineException("InvalidParameterValueException", 400, $"Invalid durable execution name '{name}': 1–64 characters of [a-zA-Z0-9-_].");
        }

        if (request.ExecutionTimeoutSeconds is < 1 or > MaxExecutionTimeoutSeconds)
        {
            throw new LocalEngineException("InvalidParameterValueException", 400, $"Invalid ExecutionTimeoutSeconds {request.ExecutionTimeoutSeconds}: it must be between 1 and {MaxExecutionTimeoutSeconds} seconds.");
        }

        if (request.RetentionPeriodInDays is < MinRetentionPeriodInDays or > MaxRetentionPeriodInDays)
        {
            throw new LocalEngineException("InvalidParameterValueException", 400, $"Invalid RetentionPeriodInDays {request.RetentionPeriodInDays}: it must be between {MinRetentionPeriodInDays} and {MaxRetentionPeriodInDays} days.");
        }

        var functionArn = $"arn:aws:lambda:{_options.Region}:{Account}:function:{request.FunctionName}";
        var invocationId = _options.ExecutionIdFactory?.Invoke() ?? Hex(name + ":" + n)[..32];
        var arn = $"{functionArn}:{request.Qualifier}/durable-execution/{name}/{invocationId}";
        var now = _time.GetUtcNow();
        var execId = invocationId;
        var rec = new ExecutionRecord(arn, name, request.FunctionName, functionArn, request.Qualifier, now)
        {
            Seq = n,
            InputPayload = request.InputPayload,
            ExecutionOperationId = execId,
            ExecutionTimeoutSeconds = request.ExecutionTimeoutSeconds,
            RetentionDays = request.RetentionPeriodInDays ?? _options.RetentionPeriodInDays,
            TenantId = request.TenantId,
            TraceHeader = request.TraceHeader,
        };
        await rec.Gate.EnterAsync().ConfigureAwait(false);
        try
        {
            ClaimName(rec);
            try
            {
                var execOp = new OpRecord(execId, OperationType.Execution, null, null, null, now, rec.NextTimerSeq())
                {
                    Status = OperationStatus.Started,
                    InputPayload = request.InputPayload ?? string.Empty,
                };
                rec.Add(execOp);
                rec.Append(now, HistoryEventType.ExecutionStarted, execOp, new EventDetails
                {
                    Input = new EventPayload(request.InputPayload ?? string.Empty),
                    ExecutionTimeout = request.ExecutionTimeoutSeconds,
                }, includeSubType: false, name: name);
                _executions[arn] = rec;
                await PersistAsync(rec).ConfigureAwait(false);
            }
            catch
            {
                if (!rec.Detached)
                {
                    Detach(rec);
                }

                throw;
            }

            return arn;
        }
        finally
        {
            rec.Gate.Exit();
        }
    }

    /// <summary>Starts a handler invocation: issues a fresh checkpoint token and returns the envelope.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>The invocation input.</returns>
    public DurableExecutionInvocationInput BeginInvocation(string arn) => Wait(BeginInvocationAsync(arn));

    /// <summary><see cref="BeginInvocation"/> without holding a thread while the invocation's start is saved.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>The invocation input.</returns>
    public async Task<DurableExecutionInvocationInput> BeginInvocationAsync(string arn)
    {
        using (var held = await HoldAsync(arn).ConfigureAwait(false))
        {
            var rec = held.Rec;
            if (rec.IsTerminal)
            {
                throw new LocalEngineException("ExecutionConflictException", 409, $"Execution {arn} has already ended ({rec.Status}).");
            }

            rec.InvocationCount++;
            rec.Token = NextToken(rec);
            rec.InvocationStart = _time.GetUtcNow();
            var visible = rec.VisibleOperations().Select(o => o.ToOperation()).ToList();
            var updated = rec.UpdatedSinceInvocation.ToList();
            rec.UpdatedSinceInvocation.Clear();
            rec.Unseen.Clear();
            var pageSize = _options.InitialStatePageSize;
            string? marker = null;
            if (pageSize > 0 && visible.Count > pageSize)
            {
                rec.PagedState = visible;
                marker = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
                visible = visible.Take(pageSize).ToList();
            }

            await PersistAsync(rec).ConfigureAwait(false);
            return new DurableExecutionInvocationInput
            {
                DurableExecutionArn = arn,
                CheckpointToken = rec.Token,
                InitialExecutionState = new ExecutionState { Operations = visible, NextMarker = marker },
                UpdatedOperationIds = updated,
            };
        }
    }

    /// <summary>Ends a handler invocation: records InvocationCompleted and, if the execution ended, its terminal event.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <param name="outcome">What the invocation did.</param>
    /// <param name="requestId">The invocation's request id.</param>
    public void EndInvocation(string arn, InvocationOutcome outcome, string requestId) => Wait(EndInvocationAsync(arn, outcome, requestId));

    /// <summary><see cref="EndInvocation"/> without holding a thread while the invocation's end is saved.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <param name="outcome">What the invocation did.</param>
    /// <param name="requestId">The invocation's request id.</param>
    /// <returns>A task that completes once the end is durable.</returns>
    public async Task EndInvocationAsync(string arn, InvocationOutcome outcome, string requestId)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        using (var held = await HoldAsync(arn).ConfigureAwait(false))
        {
            var rec = held.Rec;
            var now = _time.GetUtcNow();
            rec.Token = null;
            rec.PagedState = null;
            rec.Append(now, HistoryEventType.InvocationCompleted, null, new EventDetails
            {
                StartTimestamp = rec.InvocationStart ?? now,
                EndTimestamp = now,
                RequestId = requestId,
                Error = outcome.InvocationError is null ? null : new EventError(outcome.InvocationError),
            });
            if (rec.IsTerminal || outcome.Output is not { } output)
            {
                await PersistAsync(rec).ConfigureAwait(false);
                return;
            }

            switch (output.Status)
            {
                case InvocationStatus.Succeeded:
                    var result = string.IsNullOrEmpty(output.Result) && rec.CheckpointedResult is not null ? rec.CheckpointedResult : output.Result;
                    Complete(rec, ExecutionStatus.Succeeded, result, null, now);
                    break;
                case InvocationStatus.Failed:
                    Complete(rec, ExecutionStatus.Failed, null, output.Error ?? rec.CheckpointedError ?? new ErrorObject { ErrorMessage = "The execution failed." }, now);
                    break;
            }

            await PersistAsync(rec).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies a batch of updates (CheckpointDurableExecution). The whole batch is validated before anything changes. Timers
    /// that fell due while the invocation ran (a wait's end, a retry delay, a callback timeout) are applied first, so the
    /// response, even to an empty batch, carries them: an SDK that polls with empty checkpoints sees them mid-invocation.
    /// </summary>
    /// <param name="arn">The execution ARN.</param>
    /// <param name="token">The checkpoint token.</param>
    /// <param name="updates">The updates.</param>
    /// <returns>The new token (null once terminal) and the operations changed since the caller last saw them.</returns>
    /// <exception cref="LocalEngineException">Invalid token or update; nothing was applied.</exception>
    public CheckpointResult Checkpoint(string arn, string token, IReadOnlyList<OperationUpdate> updates) => Wait(CheckpointAsync(arn, token, updates));

    /// <summary>
    /// <see cref="Checkpoint"/> without holding a thread while the batch is saved: the task completes once it is durable
    /// (the caller sees the new token only then).
    /// </summary>
    /// <param name="arn">The execution ARN.</param>
    /// <param name="token">The checkpoint token.</param>
    /// <param name="updates">The updates.</param>
    /// <returns>The new token (null once terminal) and the operations changed since the caller last saw them.</returns>
    /// <exception cref="LocalEngineException">Invalid token or update; nothing was applied.</exception>
    public async Task<CheckpointResult> CheckpointAsync(string arn, string token, IReadOnlyList<OperationUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        CheckTokenFormat(token);
        for (var i = 0; i < updates.Count; i++)
        {
            if (updates[i] is null)
            {
                throw new LocalEngineException("InvalidParameterValueException", 400, $"Updates must not contain null (update #{i + 1} is null).");
            }
        }

        List<ChainedInvokeRequest>? invokes = null;
        CheckpointResult result;
        using (var held = await HoldAsync(arn).ConfigureAwait(false))
        {
            var rec = held.Rec;
            RejectIfEnded(rec);
            if (rec.Token is null || !string.Equals(rec.Token, token, StringComparison.Ordinal))
            {
                throw new LocalEngineException("InvalidParameterValueException", 400, "Invalid Checkpoint Token: the token is stale or was never issued for this execution.");
            }

            // Timers that fell due while this invocation ran (its polling empty checkpoints rely on it), saved before the
            // batch is validated so that a refused batch leaves memory and store alike.
            if (FireDueTimers(rec))
            {
                await PersistAsync(rec).ConfigureAwait(false);
            }

            UpdateValidator.Validate(rec, updates);
            var now = _time.GetUtcNow();
            foreach (var u in updates)
            {
                if (rec.IsOrphan(u.ParentId))
                {
                    continue;
                }

                var req = Apply(rec, u, now);
                if (req is not null)
                {
                    (invokes ??= new()).Add(req);
                }
            }

            if (rec.IsTerminal)
            {
                rec.Token = null;
            }
            else
            {
                rec.Token = NextToken(rec);
            }

            var changed = rec.Unseen.Select(id => rec.Ops[id].ToOperation()).ToList();
            rec.Unseen.Clear();
            await PersistAsync(rec).ConfigureAwait(false);
            result = new CheckpointResult(rec.Token, new ExecutionState { Operations = changed });
        }

        if (invokes is not null)
        {
            foreach (var req in invokes)
            {
                StartChainedInvoke(req);
            }
        }

        return result;
    }

    /// <summary>Reads a page of state (GetDurableExecutionState), after applying the timers that fell due meanwhile.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <param name="token">The checkpoint token.</param>
    /// <param name="marker">The page marker (an offset).</param>
    /// <param name="maxItems">Page size (1–1000; 0 means 100).</param>
    /// <returns>The page.</returns>
    public ExecutionState GetState(string arn, string token, string? marker, int maxItems = 1000)
    {
        CheckTokenFormat(token);
        using (var held = Hold(arn))
        {
            var rec = held.Rec;
            RejectIfEnded(rec);
            if (rec.Token is null || !string.Equals(rec.Token, token, StringComparison.Ordinal))
            {
                throw new LocalEngineException("InvalidParameterValueException", 400, "Invalid Checkpoint Token: the token is stale or was never issued for this execution.");
            }

            if (FireDueTimers(rec))
            {
                Persist(rec);
            }

            var all = rec.PagedState ?? rec.VisibleOperations().Select(o => o.ToOperation()).ToList();
            var offset = 0;
            if (!string.IsNullOrEmpty(marker) && (!int.TryParse(marker, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out offset) || offset < 0 || offset > all.Count))
            {
                throw new LocalEngineException("InvalidParameterValueException", 400, $"Invalid Marker '{marker}'.");
            }

            var size = maxItems <= 0 ? 100 : Math.Min(maxItems, 1000);
            var page = all.Skip(offset).Take(size).ToList();
            var next = offset + page.Count < all.Count ? (offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return new ExecutionState { Operations = page, NextMarker = next };
        }
    }

    /// <summary>Completes a callback successfully (SendDurableExecutionCallbackSuccess).</summary>
    /// <param name="callbackId">The callback id.</param>
    /// <param name="result">The raw result text (UTF-8 of the body), or null for an empty body.</param>
    /// <returns>The execution ARN the callback belongs to.</returns>
    public string SendCallbackSuccess(string callbackId, string? result)
    {
        if (Encoding.UTF8.GetByteCount(result ?? string.Empty) > 262_144)
        {
            throw new LocalEngineException("InvalidParameterValueException", 400, "The callback result exceeds 262,144 bytes.");
        }

        return CompleteCallback(callbackId, OperationStatus.Succeeded, result, null, HistoryEventType.CallbackSucceeded);
    }

    /// <summary>Completes a callback with a failure (SendDurableExecutionCallbackFailure).</summary>
    /// <param name="callbackId">The callback id.</param>
    /// <param name="error">The error.</param>
    /// <returns>The execution ARN.</returns>
    public string SendCallbackFailure(string callbackId, ErrorObject? error)
        => CompleteCallback(callbackId, OperationStatus.Failed, null, error ?? new ErrorObject(), HistoryEventType.CallbackFailed);

    /// <summary>Records a heartbeat (SendDurableExecutionCallbackHeartbeat): restarts the heartbeat timer; no event.</summary>
    /// <param name="callbackId">The callback id.</param>
    /// <returns>The execution ARN.</returns>
    public string SendCallbackHeartbeat(string callbackId)
    {
        using (var held = HoldCallback(callbackId, out var op))
        {
            var rec = held.Rec;
            op.LastHeartbeat = _time.GetUtcNow();
            op.TimerSeq = rec.NextTimerSeq();
            Persist(rec);
            return rec.Arn;
        }
    }

    /// <summary>Completes a chained invoke with the target's result or error (the host calls this when the target ends).</summary>
    /// <param name="arn">The calling execution.</param>
    /// <param name="operationId">The CHAINED_INVOKE operation id.</param>
    /// <param name="status">SUCCEEDED, FAILED, TIMED_OUT or STOPPED.</param>
    /// <param name="result">The target's result.</param>
    /// <param name="error">The target's error.</param>
    public void CompleteChainedInvoke(string arn, string operationId, OperationStatus status, string? result, ErrorObject? error)
    {
        using (var held = Hold(arn))
        {
            var rec = held.Rec;
            if (rec.IsTerminal || !rec.Ops.TryGetValue(operationId, out var op) || op.Type != OperationType.ChainedInvoke || op.Status != OperationStatus.Started)
            {
                return;
            }

            var now = _time.GetUtcNow();
            op.Status = status;
            op.EndTimestamp = now;
            op.Result = result;
            op.Error = error;
            rec.Touch(op, service: true);
            var type = status switch
            {
                OperationStatus.Succeeded => HistoryEventType.ChainedInvokeSucceeded,
                OperationStatus.TimedOut => HistoryEventType.ChainedInvokeTimedOut,
                OperationStatus.Stopped => HistoryEventType.ChainedInvokeStopped,
                _ => HistoryEventType.ChainedInvokeFailed,
            };
            rec.Append(now, type, op, status == OperationStatus.Succeeded
                ? new EventDetails { Result = new EventPayload(result) }
                : new EventDetails { Error = new EventError(error ?? new ErrorObject()) });
            Persist(rec);
        }
    }

    /// <summary>Stops an execution (StopDurableExecution).</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <param name="error">The reason.</param>
    /// <returns>When it stopped.</returns>
    public DateTimeOffset StopExecution(string arn, ErrorObject? error)
    {
        using (var held = Hold(arn))
        {
            var rec = held.Rec;
            if (rec.IsTerminal)
            {
                // StopDurableExecution declares InvalidParameterValue, ResourceNotFound, TooManyRequests and Service errors;
                // the execution exists and retrying cannot help, so it is an invalid parameter.
                throw new LocalEngineException("InvalidParameterValueException", 400, $"Execution {arn} has already ended ({UpperSnakeEnumConverter<ExecutionStatus>.ToToken(rec.Status)}); only a RUNNING execution can be stopped.");
            }

            var now = _time.GetUtcNow();
            Complete(rec, ExecutionStatus.Stopped, null, error ?? new ErrorObject { ErrorType = "Execution.Stopped", ErrorMessage = "The execution was stopped." }, now);
            rec.Token = null; // a running invocation's next checkpoint is refused
            Persist(rec);
            return now;
        }
    }

    /// <summary>The earliest due time among the execution's timers (waits, retries, callback timeouts, the execution timeout), or null.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>The due time.</returns>
    public DateTimeOffset? NextTimerDue(string arn)
    {
        using (var held = Hold(arn))
        {
            var rec = held.Rec;
            return rec.IsTerminal ? null : NextTimer(rec)?.Due;
        }
    }

    /// <summary>The earliest due time among the execution's operation timers (not its execution timeout), or null.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>The due time.</returns>
    internal DateTimeOffset? NextOperationTimerDue(string arn)
    {
        using (var held = Hold(arn))
        {
            var rec = held.Rec;
            DateTimeOffset? best = null;
            foreach (var t in Timers(rec))
            {
                if (t.Kind != TimerKind.ExecutionTimeout && (best is null || t.Due < best))
                {
                    best = t.Due;
                }
            }

            return best;
        }
    }

    /// <summary>When the execution times out, or null when it has ended or has no timeout.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>The deadline.</returns>
    internal DateTimeOffset? Deadline(string arn)
    {
        using (var held = Hold(arn))
        {
            var rec = held.Rec;
            return rec.IsTerminal ? null : rec.Deadline;
        }
    }

    /// <summary>Fires the earliest timer if it is due now; returns whether one fired (and so the handler must be re-invoked).</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>Whether a timer fired.</returns>
    public bool FireNextTimer(string arn)
    {
        using (var held = Hold(arn))
        {
            var rec = held.Rec;
            if (rec.IsTerminal || NextTimer(rec) is not { } t || t.Due > _time.GetUtcNow())
            {
                return false;
            }

            Fire(rec, t, _time.GetUtcNow());
            Persist(rec);
            return true;
        }
    }

    /// <summary>
    /// Fires every timer of the execution that is due now, earliest first (a running invocation's checkpoint and state
    /// calls do this, so the invocation sees a wait, retry or callback timeout that fell due while it ran). Under the lock.
    /// </summary>
    /// <returns>Whether any timer fired (the caller persists).</returns>
    private bool FireDueTimers(ExecutionRecord rec)
    {
        var now = _time.GetUtcNow();
        var fired = false;
        while (!rec.IsTerminal && NextTimer(rec) is { } t && t.Due <= now)
        {
            Fire(rec, t, now);
            fired = true;
        }

        return fired;
    }

    private static void Fire(ExecutionRecord rec, (DateTimeOffset Due, long Seq, TimerKind Kind, OpRecord Op) t, DateTimeOffset now)
    {
        var op = t.Op;
        switch (t.Kind)
        {
            case TimerKind.WaitEnd:
                op.Status = OperationStatus.Succeeded;
                op.EndTimestamp = now;
                rec.Touch(op, service: true);
                rec.Append(now, HistoryEventType.WaitSucceeded, op, new EventDetails { Duration = op.WaitSeconds });
                break;
            case TimerKind.RetryDue:
                op.Status = OperationStatus.Ready;
                op.NextAttemptTimestamp = null;
                rec.Touch(op, service: true);
                break;
            case TimerKind.ExecutionTimeout:
                TimeOut(rec, t.Due);
                break;
            case TimerKind.CallbackTimeout:
            case TimerKind.CallbackHeartbeat:
                op.Status = OperationStatus.TimedOut;
                op.EndTimestamp = now;
                op.Error = t.Kind == TimerKind.CallbackTimeout
                    ? new ErrorObject { ErrorType = "Callback.Timeout", ErrorMessage = "Callback timed out" }
                    : new ErrorObject { ErrorType = "Callback.Heartbeat", ErrorMessage = "Callback timed out on heartbeat" };
                rec.Touch(op, service: true);
                rec.Append(now, HistoryEventType.CallbackTimedOut, op, new EventDetails { Error = new EventError(op.Error) });
                break;
        }
    }

    /// <summary>Whether the service changed an operation (timer, callback, chained invoke) since the last invocation ended.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>Whether a new invocation is due.</returns>
    public bool HasUpdatesSinceLastInvocation(string arn)
    {
        using (var held = Hold(arn))
        {
            var rec = held.Rec;
            return !rec.IsTerminal && rec.UpdatedSinceInvocation.Count > 0;
        }
    }

    /// <summary>The execution's history, in EventId order.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>The events.</returns>
    public IReadOnlyList<HistoryEvent> GetHistory(string arn)
    {
        using var held = Hold(arn);
        return held.Rec.Events.ToList();
    }

    /// <summary>
    /// The events of type <paramref name="type"/> recorded after event <paramref name="afterEventId"/>, and the id of the last
    /// event: what a caller that keeps a cursor needs, without copying the whole history after every invocation.
    /// </summary>
    /// <param name="arn">The execution ARN.</param>
    /// <param name="afterEventId">The cursor: the last event id the caller has seen (0 for none).</param>
    /// <param name="type">The event type to return.</param>
    /// <returns>The matching events in order, and the last event id (the cursor when there is no event).</returns>
    internal (List<HistoryEvent> Events, int LastEventId) EventsAfter(string arn, int afterEventId, HistoryEventType type)
    {
        using var held = Hold(arn);
        var events = held.Rec.Events;
        var found = new List<HistoryEvent>();

        // Event ids are 1, 2, ... in list order, so the first event after the cursor sits at index afterEventId.
        for (var i = Math.Clamp(afterEventId, 0, events.Count); i < events.Count; i++)
        {
            if (events[i].EventId > afterEventId && events[i].EventType == type)
            {
                found.Add(events[i]);
            }
        }

        return (found, events.Count == 0 ? afterEventId : events[^1].EventId);
    }

    /// <summary>All operations of the execution, including children of finished contexts.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>The operations in creation order.</returns>
    public IReadOnlyList<Operation> GetOperations(string arn)
    {
        using var held = Hold(arn);
        return held.Rec.Order.Select(o => o.ToOperation()).ToList();
    }

    /// <summary>The execution's status and result (GetDurableExecution).</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>The snapshot.</returns>
    public ExecutionSnapshot GetExecution(string arn)
    {
        using var held = Hold(arn);
        return Snapshot(held.Rec);
    }

    /// <summary>All executions, in creation order (ended executions past their retention period are gone).</summary>
    /// <returns>The snapshots.</returns>
    public IReadOnlyList<ExecutionSnapshot> ListExecutions() => ListExecutions(new ExecutionQuery(), 0, int.MaxValue).Items;

    /// <summary>
    /// One page of the executions that match <paramref name="query"/>, in creation order (or newest first), from
    /// <paramref name="offset"/>. With a state store the store's indexes answer it, so ended executions are not loaded.
    /// </summary>
    /// <param name="query">The filters.</param>
    /// <param name="offset">How many matching executions to skip.</param>
    /// <param name="limit">The page size.</param>
    /// <returns>The page, and whether more follow.</returns>
    internal ExecutionPage ListExecutions(ExecutionQuery query, int offset, int limit)
    {
        ArgumentNullException.ThrowIfNull(query);
        var take = limit == int.MaxValue ? int.MaxValue : limit + 1;
        var items = new List<ExecutionSnapshot>();
        if (_stateStore is null)
        {
            var ordered = query.Reverse ? _executions.Values.OrderByDescending(r => r.Seq) : _executions.Values.OrderBy(r => r.Seq);
            var skipped = 0;
            foreach (var rec in ordered)
            {
                if (TrySnapshot(rec.Arn) is not { } s || !query.Matches(s, rec.FunctionName) || skipped++ < offset)
                {
                    continue;
                }

                items.Add(s);
                if (items.Count == take)
                {
                    break;
                }
            }
        }
        else
        {
            var now = _time.GetUtcNow();
            foreach (var row in _stateStore.List(query, now, offset, take))
            {
                var s = row.Snapshot;
                if (s.Status == ExecutionStatus.Running && row.Deadline is { } deadline && deadline <= now)
                {
                    // Its timeout has passed but nothing has looked at it yet: reading it applies the timeout.
                    if (TrySnapshot(s.DurableExecutionArn) is not { } fresh || !query.Matches(fresh, LocalFunctionName(fresh.FunctionArn)))
                    {
                        continue;
                    }

                    s = fresh;
                }

                items.Add(s);
            }
        }

        var more = items.Count > limit;
        return new ExecutionPage(more ? items.GetRange(0, limit) : items, more);
    }

    /// <summary>How many executions match <paramref name="query"/>.</summary>
    /// <param name="query">The filters.</param>
    /// <returns>The count.</returns>
    internal long CountExecutions(ExecutionQuery query)
        => _stateStore is null
            ? _executions.Values.Count(r => TrySnapshot(r.Arn) is { } s && query.Matches(s, r.FunctionName))
            : _stateStore.Count(query, _time.GetUtcNow());

    /// <summary>The function's execution with that name (running or ended, not yet purged), or null.</summary>
    /// <param name="functionName">The function name.</param>
    /// <param name="name">The execution name.</param>
    /// <returns>The snapshot, or null.</returns>
    internal ExecutionSnapshot? FindExecution(string functionName, string name)
    {
        if (_names.TryGetValue((functionName, name), out var rec))
        {
            // A start in progress holds its record's lock until it is saved (or refused): wait for it, then read the
            // execution the usual way (the lock is not reentrant, and the read takes it again).
            rec.Gate.Enter();
            rec.Gate.Exit();
            if (TrySnapshot(rec.Arn) is { } loaded)
            {
                return loaded;
            }
        }

        return _stateStore?.FindByName(functionName, name) is { } arn ? TrySnapshot(arn) : null;
    }

    /// <summary>The ARNs of the executions that have not ended, in creation order (what a host resumes at start).</summary>
    /// <returns>The ARNs.</returns>
    internal IReadOnlyList<string> OpenExecutions()
    {
        if (_stateStore is not null)
        {
            return _stateStore.OpenArns();
        }

        return _executions.Values.Where(r => !r.IsTerminal).OrderBy(r => r.Seq).Select(r => r.Arn).ToList();
    }

    /// <summary>
    /// Purges the ended executions whose retention period has passed (their end plus RetentionPeriodInDays): from memory
    /// and from the state store (history, operations, timers, callbacks). Reading a purged execution is a 404, as on AWS.
    /// An execution past its retention is also purged the moment anything asks for it, so this sweep only reclaims space.
    /// </summary>
    /// <returns>How many executions were purged.</returns>
    internal int PurgeExpired()
    {
        var now = _time.GetUtcNow();
        var purged = 0;
        if (_stateStore is null)
        {
            while (true)
            {
                ExecutionRecord rec;
                lock (_expiryGate)
                {
                    if (!_expiry.TryPeek(out rec!, out var at) || at > now)
                    {
                        return purged;
                    }

                    _expiry.Dequeue();
                }

                rec.Gate.Enter();
                try
                {
                    if (!rec.Detached && rec.PurgeAt <= now)
                    {
                        Detach(rec);
                        purged++;
                    }
                }
                finally
                {
                    rec.Gate.Exit();
                }
            }
        }

        while (true)
        {
            var arns = _stateStore.Expired(now, PurgeBatch);
            var delete = new List<string>(arns.Count);
            var held = new List<ExecutionRecord>();
            lock (_loadGate)
            {
                // Under the load lock nothing is loaded meanwhile; a loaded execution in use right now is left for the
                // next sweep (only tried: no thread waits for a second lock), or purged by whoever asks for it.
                foreach (var arn in arns)
                {
                    if (!_executions.TryGetValue(arn, out var rec))
                    {
                        delete.Add(arn);
                    }
                    else if (rec.Gate.TryEnter())
                    {
                        if (!rec.Detached && rec.PurgeAt <= now)
                        {
                            held.Add(rec);
                            delete.Add(arn);
                        }
                        else
                        {
                            rec.Gate.Exit();
                        }
                    }
                }

                var deleted = false;
                try
                {
                    if (delete.Count > 0)
                    {
                        _stateStore.Delete(delete);
                    }

                    deleted = true;
                }
                finally
                {
                    foreach (var rec in held)
                    {
                        if (deleted)
                        {
                            Detach(rec);
                        }

                        rec.Gate.Exit();
                    }
                }
            }

            purged += delete.Count;
            if (arns.Count < PurgeBatch || delete.Count == 0)
            {
                return purged;
            }
        }
    }

    /// <summary>The callback id of the named callback operation of an execution, if it has started.</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <param name="name">The callback operation's name.</param>
    /// <returns>The id, or null.</returns>
    public string? FindCallbackId(string arn, string name)
    {
        using var held = Hold(arn);
        return held.Rec.Order.LastOrDefault(o => o.Type == OperationType.Callback && o.Name == name)?.CallbackId;
    }

    private void StartChainedInvoke(ChainedInvokeRequest req)
    {
        var starter = ChainedInvokeStarter;
        ChainedInvokeStart? started = null;
        ErrorObject? failure = null;
        if (starter is null)
        {
            failure = new ErrorObject { ErrorType = "ChainedInvoke.FailedToStart", ErrorMessage = $"No function '{req.FunctionName}' is registered with the local engine." };
        }
        else
        {
            try
            {
                started = starter(req);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failure = new ErrorObject { ErrorType = "ChainedInvoke.FailedToStart", ErrorMessage = ex.Message };
            }
        }

        using (var held = Hold(req.ParentArn))
        {
            var rec = held.Rec;
            var op = rec.Ops[req.OperationId];
            var now = _time.GetUtcNow();
            op.ChildArn = started?.ChildExecutionArn ?? $"{req.FunctionName}:not-started";
            rec.Append(now, HistoryEventType.ChainedInvokeStarted, op, new EventDetails
            {
                FunctionName = req.FunctionName,
                TenantId = req.TenantId,
                Input = new EventPayload(req.Payload),
                ExecutedVersion = started?.ExecutedVersion ?? "$LATEST",
                DurableExecutionArn = op.ChildArn,
            });
            Persist(rec);
        }

        if (failure is not null)
        {
            CompleteChainedInvoke(req.ParentArn, req.OperationId, OperationStatus.Failed, null, failure);
        }
    }

    private string CompleteCallback(string callbackId, OperationStatus status, string? result, ErrorObject? error, HistoryEventType type)
    {
        using (var held = HoldCallback(callbackId, out var op))
        {
            var rec = held.Rec;
            var now = _time.GetUtcNow();
            op.Status = status;
            op.EndTimestamp = now;
            op.Result = result;
            op.Error = error;
            rec.Touch(op, service: true);
            rec.Append(now, type, op, status == OperationStatus.Succeeded
                ? new EventDetails { Result = new EventPayload(result) }
                : new EventDetails { Error = new EventError(error!) });
            Persist(rec);
            return rec.Arn;
        }
    }

    private ChainedInvokeRequest? Apply(ExecutionRecord rec, OperationUpdate u, DateTimeOffset now)
    {
        if (u.Type == OperationType.Execution)
        {
            if (u.Action == OperationAction.Succeed)
            {
                rec.CheckpointedResult = u.Payload;
                Complete(rec, ExecutionStatus.Succeeded, u.Payload, null, now);
            }
            else
            {
                rec.CheckpointedError = u.Error;
                Complete(rec, ExecutionStatus.Failed, null, u.Error, now);
            }

            return null;
        }

        rec.Ops.TryGetValue(u.Id, out var op);
        if (op is null)
        {
            op = new OpRecord(u.Id, u.Type, u.SubType, u.Name, u.ParentId, now, rec.NextTimerSeq());
            rec.Add(op);
        }

        ChainedInvokeRequest? invoke = null;
        switch (u.Type, u.Action)
        {
            case (OperationType.Step, OperationAction.Start):
                op.Status = OperationStatus.Started;
                op.NextAttemptTimestamp = null;
                rec.Append(now, HistoryEventType.StepStarted, op, EventDetails.Empty);
                break;
            case (OperationType.Step, OperationAction.Retry):
                {
                    var attempt = op.Attempt + 1;
                    var delay = u.StepOptions!.NextAttemptDelaySeconds!.Value;
                    op.Attempt = attempt;
                    op.Status = OperationStatus.Pending;
                    op.NextAttemptTimestamp = now.AddSeconds(delay);
                    op.TimerSeq = rec.NextTimerSeq();
                    rec.TrackTimer(op);
                    op.Result = u.Payload;
                    op.Error = u.Error;
                    var retry = new RetryDetails(attempt, delay);
                    rec.Append(now, u.Error is null ? HistoryEventType.StepSucceeded : HistoryEventType.StepFailed, op, u.Error is null
                        ? new EventDetails { Result = Payload(u.Payload), RetryDetails = retry }
                        : new EventDetails { Error = new EventError(u.Error), RetryDetails = retry });
                    break;
                }

            case (OperationType.Step, OperationAction.Succeed):
                op.Attempt++;
                op.Status = OperationStatus.Succeeded;
                op.EndTimestamp = now;
                op.Result = u.Payload;
                op.Error = null;
                rec.Append(now, HistoryEventType.StepSucceeded, op, new EventDetails { Result = Payload(u.Payload), RetryDetails = new RetryDetails(op.Attempt) });
                break;
            case (OperationType.Step, OperationAction.Fail):
                op.Attempt++;
                op.Status = OperationStatus.Failed;
                op.EndTimestamp = now;
                op.Error = u.Error;
                rec.Append(now, HistoryEventType.StepFailed, op, new EventDetails { Error = new EventError(u.Error ?? new ErrorObject()), RetryDetails = new RetryDetails(op.Attempt) });
                break;
            case (OperationType.Wait, OperationAction.Start):
                op.Status = OperationStatus.Started;
                op.WaitSeconds = u.WaitOptions!.WaitSeconds!.Value;
                op.ScheduledEnd = now.AddSeconds(op.WaitSeconds);
                rec.Append(now, HistoryEventType.WaitStarted, op, new EventDetails { Duration = op.WaitSeconds, ScheduledEndTimestamp = op.ScheduledEnd });
                break;
            case (OperationType.Wait, OperationAction.Cancel):
                op.Status = OperationStatus.Cancelled;
                op.EndTimestamp = now;
                rec.Append(now, HistoryEventType.WaitCancelled, op, new EventDetails { Error = u.Error is null ? null : new EventError(u.Error) });
                break;
            case (OperationType.Context, OperationAction.Start):
                op.Status = OperationStatus.Started;
                rec.Append(now, HistoryEventType.ContextStarted, op, EventDetails.Empty);
                break;
            case (OperationType.Context, OperationAction.Succeed):
                op.Status = OperationStatus.Succeeded;
                op.EndTimestamp = now;
                op.Result = u.Payload;
                op.ReplayChildren = u.ContextOptions?.ReplayChildren;
                rec.Append(now, HistoryEventType.ContextSucceeded, op, new EventDetails { Result = Payload(u.Payload) });
                break;
            case (OperationType.Context, OperationAction.Fail):
                op.Status = OperationStatus.Failed;
                op.EndTimestamp = now;
                op.Error = u.Error;
                rec.Append(now, HistoryEventType.ContextFailed, op, new EventDetails { Error = new EventError(u.Error ?? new ErrorObject()) });
                break;
            case (OperationType.Callback, OperationAction.Start):
                op.Status = OperationStatus.Started;
                op.CallbackId = _options.CallbackIdFactory?.Invoke(rec.Arn, op.Id) ?? DeterministicCallbackId(rec.Arn, op.Id);
                op.TimeoutSeconds = u.CallbackOptions?.TimeoutSeconds ?? 0;
                op.HeartbeatSeconds = u.CallbackOptions?.HeartbeatTimeoutSeconds ?? 0;
                op.LastHeartbeat = now;
                _callbacks[op.CallbackId] = (rec.Arn, op.Id);
                rec.Append(now, HistoryEventType.CallbackStarted, op, new EventDetails
                {
                    CallbackId = op.CallbackId,
                    Timeout = op.TimeoutSeconds > 0 ? op.TimeoutSeconds : null,
                    HeartbeatTimeout = op.HeartbeatSeconds > 0 ? op.HeartbeatSeconds : null,
                });
                break;
            case (OperationType.Callback, OperationAction.Cancel):
                op.Status = OperationStatus.Cancelled;
                op.EndTimestamp = now;
                break;
            case (OperationType.ChainedInvoke, OperationAction.Start):
                op.Status = OperationStatus.Started;
                op.InputPayload = u.Payload;
                invoke = new ChainedInvokeRequest(rec.Arn, op.Id, u.ChainedInvokeOptions!.FunctionName!, u.Payload, u.ChainedInvokeOptions.TenantId, u.ChainedInvokeOptions.XAmznTraceId);
                break;
            case (OperationType.ChainedInvoke, OperationAction.Cancel):
                op.Status = OperationStatus.Stopped;
                op.EndTimestamp = now;
                rec.Append(now, HistoryEventType.ChainedInvokeStopped, op, new EventDetails { Error = new EventError(u.Error ?? new ErrorObject { ErrorMessage = "Cancelled" }) });
                break;
        }

        rec.Touch(op, service: false);
        return invoke;
    }

    private static EventPayload? Payload(string? payload) => payload is null ? null : new EventPayload(payload);

    private static void Complete(ExecutionRecord rec, ExecutionStatus status, string? result, ErrorObject? error, DateTimeOffset now)
    {
        if (rec.IsTerminal)
        {
            return;
        }

        rec.Status = status;
        rec.Result = result;
        rec.Error = error;
        rec.End = now;
        var execOp = rec.Ops[rec.ExecutionOperationId];
        execOp.Status = status switch
        {
            ExecutionStatus.Succeeded => OperationStatus.Succeeded,
            ExecutionStatus.Failed => OperationStatus.Failed,
            ExecutionStatus.TimedOut => OperationStatus.TimedOut,
            _ => OperationStatus.Stopped,
        };
        execOp.EndTimestamp = now;
        var type = status switch
        {
            ExecutionStatus.Succeeded => HistoryEventType.ExecutionSucceeded,
            ExecutionStatus.Failed => HistoryEventType.ExecutionFailed,
            ExecutionStatus.TimedOut => HistoryEventType.ExecutionTimedOut,
            _ => HistoryEventType.ExecutionStopped,
        };
        rec.Append(now, type, execOp, status == ExecutionStatus.Succeeded
            ? new EventDetails { Result = new EventPayload(result) }
            : new EventDetails { Error = new EventError(error ?? new ErrorObject()) }, includeSubType: false, name: rec.Name);
    }

    private static (DateTimeOffset Due, long Seq, TimerKind Kind, OpRecord Op)? NextTimer(ExecutionRecord rec)
    {
        (DateTimeOffset Due, long Seq, TimerKind Kind, OpRecord Op)? best = null;
        foreach (var candidate in Timers(rec))
        {
            if (best is null || candidate.Due < best.Value.Due || (candidate.Due == best.Value.Due && candidate.Seq < best.Value.Seq))
            {
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>
    /// Every armed timer of the execution: wait ends, retry due times, callback timeouts and heartbeat deadlines. Only the
    /// timer candidates are visited (not every operation); candidates that can never fire again are dropped on the way.
    /// </summary>
    internal static IEnumerable<(DateTimeOffset Due, long Seq, TimerKind Kind, OpRecord Op)> Timers(ExecutionRecord rec)
    {
        if (rec.IsTerminal)
        {
            yield break;
        }

        List<OpRecord>? spent = null;
        foreach (var op in rec.TimerCandidates)
        {
            if (op.Status is not (OperationStatus.Started or OperationStatus.Pending) || (op.Type == OperationType.Step && op.Status != OperationStatus.Pending))
            {
                // Ended (or, for a step, no longer waiting to retry: a later RETRY tracks it again). It can never fire.
                (spent ??= new()).Add(op);
                continue;
            }

            if (rec.IsOrphan(op.ParentId))
            {
                continue;
            }

            switch (op.Type)
            {
                case OperationType.Wait when op.Status == OperationStatus.Started && op.ScheduledEnd is { } end:
                    yield return (end, op.TimerSeq, TimerKind.WaitEnd, op);
                    break;
                case OperationType.Step when op.Status == OperationStatus.Pending && op.NextAttemptTimestamp is { } next:
                    yield return (next, op.TimerSeq, TimerKind.RetryDue, op);
                    break;
                case OperationType.Callback when op.Status == OperationStatus.Started:
                    if (op.TimeoutSeconds > 0)
                    {
                        yield return (op.StartTimestamp.AddSeconds(op.TimeoutSeconds), op.CreatedSeq, TimerKind.CallbackTimeout, op);
                    }

                    if (op.HeartbeatSeconds > 0)
                    {
                        yield return ((op.LastHeartbeat ?? op.StartTimestamp).AddSeconds(op.HeartbeatSeconds), op.TimerSeq, TimerKind.CallbackHeartbeat, op);
                    }

                    break;
            }
        }

        if (spent is not null)
        {
            rec.TimerCandidates.ExceptWith(spent);
        }

        if (rec.Deadline is { } deadline)
        {
            // Sequence 0: at the same instant the execution times out before any of its own timers fires.
            yield return (deadline, 0, TimerKind.ExecutionTimeout, rec.Ops[rec.ExecutionOperationId]);
        }
    }

    /// <summary>Chained invokes still waiting for their target: (caller ARN, operation id, target execution ARN).</summary>
    /// <returns>The open links, read from the (possibly reloaded) state.</returns>
    internal IReadOnlyList<(string CallerArn, string OperationId, string TargetArn)> OpenChainedInvokes()
    {
        var open = new List<(string, string, string)>();
        foreach (var arn in OpenExecutions())
        {
            List<(string, string)> links;
            try
            {
                using var held = Hold(arn);
                if (held.Rec.IsTerminal)
                {
                    continue;
                }

                links = held.Rec.Order
                    .Where(op => op.Type == OperationType.ChainedInvoke && op.Status == OperationStatus.Started && op.ChildArn is not null)
                    .Select(op => (op.Id, op.ChildArn!))
                    .ToList();
            }
            catch (LocalEngineException ex) when (ex.StatusCode == 404)
            {
                continue;
            }

            foreach (var (operationId, target) in links)
            {
                if (_executions.ContainsKey(target) || _stateStore?.Exists(target) == true)
                {
                    open.Add((arn, operationId, target));
                }
            }
        }

        return open;
    }

    /// <summary>Whether a handler invocation of the execution holds a checkpoint token (began and has not ended).</summary>
    /// <param name="arn">The execution ARN.</param>
    /// <returns>Whether an invocation is in flight.</returns>
    internal bool IsInvocationInFlight(string arn)
    {
        using var held = Hold(arn);
        return !held.Rec.IsTerminal && held.Rec.Token is not null;
    }

    private static ExecutionSnapshot Snapshot(ExecutionRecord rec) => new()
    {
        DurableExecutionArn = rec.Arn,
        DurableExecutionName = rec.Name,
        FunctionArn = rec.FunctionArn,
        Status = rec.Status,
        InputPayload = rec.InputPayload,
        Result = rec.Result,
        Error = rec.Error,
        StartTimestamp = rec.Start,
        EndTimestamp = rec.End,
        Version = rec.Qualifier,
        TraceHeader = rec.TraceHeader,
        TenantId = rec.TenantId,
        ExecutionTimeoutSeconds = rec.ExecutionTimeoutSeconds,
        RetentionPeriodInDays = rec.RetentionDays,
    };

    /// <summary>The snapshot, or null when the execution is gone (purged meanwhile).</summary>
    private ExecutionSnapshot? TrySnapshot(string arn)
    {
        try
        {
            return GetExecution(arn);
        }
        catch (LocalEngineException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    private static string LocalFunctionName(string functionArn)
    {
        const string Marker = ":function:";
        var i = functionArn.IndexOf(Marker, StringComparison.Ordinal);
        return i < 0 ? functionArn : functionArn[(i + Marker.Length)..];
    }

    /// <summary>
    /// Locks the execution and returns it, loading it from the store if it is not in memory. On the way it applies what
    /// time has done: an ended execution past its retention period is purged (and the call answers 404), a running one past
    /// its execution timeout is timed out. Every public call goes through here or <see cref="HoldCallback"/>.
    /// </summary>
    /// <exception cref="LocalEngineException">ResourceNotFoundException (404): unknown or purged.</exception>
    private Held Hold(string arn)
    {
        while (true)
        {
            var rec = Find(arn) ?? throw NotFound(arn);
            rec.Gate.Enter();
            if (Settle(rec, arn))
            {
                return new Held(rec);
            }
        }
    }

    /// <summary>
    /// <see cref="Hold"/> for the asynchronous calls: waits for the execution's lock without holding a thread (another call
    /// may hold it while its save is being made durable).
    /// </summary>
    /// <exception cref="LocalEngineException">ResourceNotFoundException (404): unknown or purged.</exception>
    private async ValueTask<Held> HoldAsync(string arn)
    {
        while (true)
        {
            var rec = Find(arn) ?? throw NotFound(arn);
            await rec.Gate.EnterAsync().ConfigureAwait(false);
            if (Settle(rec, arn))
            {
                return new Held(rec);
            }
        }
    }

    /// <summary>
    /// The part of <see cref="Hold"/> after the lock is taken: false (lock released) when the record was dropped meanwhile, so
    /// the caller looks it up again; purges it when past retention (404, lock released), times it out when past its deadline,
    /// and marks it most recently used.
    /// </summary>
    private bool Settle(ExecutionRecord rec, string arn)
    {
        if (rec.Detached)
        {
            rec.Gate.Exit();
            return false; // evicted or replaced meanwhile: look it up again
        }

        try
        {
            if (rec.PurgeAt is { } purgeAt && purgeAt <= _time.GetUtcNow())
            {
                _stateStore?.Delete([rec.Arn]);
                Detach(rec);
                throw NotFound(arn);
            }

            ExpireIfDue(rec);
            if (rec.CacheNode is not null)
            {
                lock (_cacheGate)
                {
                    if (rec.CacheNode is { } node)
                    {
                        _cache.Remove(node);
                        _cache.AddLast(node); // most recently used last
                    }
                }
            }
        }
        catch
        {
            rec.Gate.Exit();
            throw;
        }

        return true;
    }

    /// <summary>Locks the execution a callback belongs to; the callback must still be open.</summary>
    /// <exception cref="LocalEngineException">Unknown callback (404), or closed (400 CallbackTimeoutException).</exception>
    private Held HoldCallback(string callbackId, out OpRecord op)
    {
        if (string.IsNullOrEmpty(callbackId)
            || (_callbacks.TryGetValue(callbackId, out var where) ? where : _stateStore?.FindCallback(callbackId)) is not { } found)
        {
            throw new LocalEngineException("ResourceNotFoundException", 404, "Callback not found: the callback id is unknown.");
        }

        Held held;
        try
        {
            held = Hold(found.Arn);
        }
        catch (LocalEngineException ex) when (ex.StatusCode == 404)
        {
            throw new LocalEngineException("ResourceNotFoundException", 404, "Callback not found: the callback id is unknown.");
        }

        var rec = held.Rec;
        if (!rec.Ops.TryGetValue(found.OperationId, out var callback))
        {
            held.Dispose();
            throw new LocalEngineException("ResourceNotFoundException", 404, "Callback not found: the callback id is unknown.");
        }

        if (rec.IsTerminal || callback.Status != OperationStatus.Started)
        {
            held.Dispose();

            // The model's error for "the callback id has expired or its callback is already closed".
            throw new LocalEngineException("CallbackTimeoutException", 400, $"The callback is closed (status {UpperSnakeEnumConverter<OperationStatus>.ToToken(callback.Status)}{(rec.IsTerminal ? ", execution ended" : string.Empty)}); it no longer accepts a result, a failure or a heartbeat.");
        }

        op = callback;
        return held;
    }

    private static LocalEngineException NotFound(string arn) => new("ResourceNotFoundException", 404, $"Durable execution not found: {arn}");

    /// <summary>The execution in memory, else loaded from the store (once: under the load lock), else null.</summary>
    private ExecutionRecord? Find(string arn)
    {
        if (arn is null)
        {
            return null;
        }

        if (_executions.TryGetValue(arn, out var rec) || _stateStore is null)
        {
            return rec;
        }

        lock (_loadGate)
        {
            if (_executions.TryGetValue(arn, out rec))
            {
                return rec;
            }

            if (_stateStore.Load(arn) is not { } loaded)
            {
                return null;
            }

            Attach(loaded);
            return loaded;
        }
    }

    /// <summary>Puts a loaded record in memory: the tables by ARN, name and callback id; an ended one goes to the cache.</summary>
    private void Attach(ExecutionRecord rec)
    {
        rec.Gate.Enter();
        try
        {
            _executions[rec.Arn] = rec;
            _names[(rec.FunctionName, rec.Name)] = rec;
            foreach (var op in rec.Order)
            {
                if (op.CallbackId is { } id)
                {
                    _callbacks[id] = (rec.Arn, op.Id);
                }
            }

            if (rec.IsTerminal)
            {
                NoteEnded(rec);
            }
        }
        finally
        {
            rec.Gate.Exit();
        }
    }

    /// <summary>Drops a record from memory (caller holds its lock): a later call loads it again from the store, if it is there.</summary>
    private void Detach(ExecutionRecord rec)
    {
        rec.Detached = true;
        _executions.TryRemove(KeyValuePair.Create(rec.Arn, rec));
        _names.TryRemove(KeyValuePair.Create((rec.FunctionName, rec.Name), rec));
        foreach (var op in rec.Order)
        {
            if (op.CallbackId is { } id)
            {
                _callbacks.TryRemove(KeyValuePair.Create(id, (rec.Arn, op.Id)));
            }
        }

        if (rec.CacheNode is not null)
        {
            lock (_cacheGate)
            {
                if (rec.CacheNode is { } node)
                {
                    _cache.Remove(node);
                    rec.CacheNode = null;
                }
            }
        }
    }

    /// <summary>
    /// Reserves the execution's name for its function, or throws 409 when an execution of that name exists (in memory or in
    /// the store, and not past its retention). Called with the new record's lock held.
    /// </summary>
    private void ClaimName(ExecutionRecord rec)
    {
        var key = (rec.FunctionName, rec.Name);
        while (true)
        {
            if (_names.TryAdd(key, rec))
            {
                if (_stateStore?.FindByName(rec.FunctionName, rec.Name) is not { } stored || stored == rec.Arn)
                {
                    return;
                }

                _names.TryRemove(KeyValuePair.Create(key, rec));
                if (TrySnapshot(stored) is not null)
                {
                    throw AlreadyStarted(rec);
                }

                continue; // it was past its retention and is purged now
            }

            if (_names.TryGetValue(key, out var holder) && IsLive(holder))
            {
                throw AlreadyStarted(rec);
            }
        }
    }

    /// <summary>Whether the record still holds its name: not dropped from memory, not past retention (then it is purged now).</summary>
    private bool IsLive(ExecutionRecord holder)
    {
        holder.Gate.Enter();
        try
        {
            if (holder.Detached)
            {
                return false;
            }

            if (holder.PurgeAt is { } purgeAt && purgeAt <= _time.GetUtcNow())
            {
                _stateStore?.Delete([holder.Arn]);
                Detach(holder);
                return false;
            }

            return true;
        }
        finally
        {
            holder.Gate.Exit();
        }
    }

    private static LocalEngineException AlreadyStarted(ExecutionRecord rec)
        => new("DurableExecutionAlreadyStartedException", 409, $"A durable execution named '{rec.Name}' already exists for function {rec.FunctionName}.");

    /// <summary>
    /// The bookkeeping for an execution that has ended (caller holds its lock): with a store it joins the cache of ended
    /// executions (the least recently used beyond <see cref="LocalEngineOptions.CachedEndedExecutions"/> are dropped from
    /// memory; they stay in the store); without one it joins the purge queue, if it has a retention period.
    /// </summary>
    private void NoteEnded(ExecutionRecord rec)
    {
        if (rec.EndNoted)
        {
            return;
        }

        rec.EndNoted = true;
        if (_stateStore is null)
        {
            if (rec.PurgeAt is { } at)
            {
                lock (_expiryGate)
                {
                    _expiry.Enqueue(rec, at);
                }
            }

            return;
        }

        List<ExecutionRecord>? victims = null;
        lock (_cacheGate)
        {
            rec.CacheNode ??= _cache.AddLast(rec);
            while (_cache.Count > _options.CachedEndedExecutions && _cache.First is { } first && first.Value != rec)
            {
                _cache.RemoveFirst();
                first.Value.CacheNode = null;
                (victims ??= new()).Add(first.Value);
            }
        }

        if (victims is null)
        {
            return;
        }

        foreach (var victim in victims)
        {
            // Only tried: a record in use right now stays (and goes back to the cache), so no thread waits for a second lock.
            if (victim.Gate.TryEnter())
            {
                try
                {
                    if (!victim.Detached && victim.CacheNode is null)
                    {
                        Detach(victim);
                    }
                }
                finally
                {
                    victim.Gate.Exit();
                }
            }
            else
            {
                lock (_cacheGate)
                {
                    if (!victim.Detached && victim.CacheNode is null)
                    {
                        victim.CacheNode = _cache.AddLast(victim);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Saves the execution to the state store, if there is one (caller holds its lock, and blocks until the save is durable),
    /// and does the bookkeeping of an execution that has just ended. When saving fails, the record is dropped from memory (so
    /// memory never runs ahead of the store: the next call loads the last saved state) and a 500 ServiceException is thrown.
    /// </summary>
    private void Persist(ExecutionRecord rec)
    {
        if (_stateStore is not null)
        {
            try
            {
                _stateStore.SaveAsync(rec).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw SaveFailed(rec, ex);
            }
        }

        Saved(rec);
    }

    /// <summary>
    /// <see cref="Persist"/> for the asynchronous calls: the caller keeps the execution's lock while the save is made
    /// durable, without holding a thread.
    /// </summary>
    private async ValueTask PersistAsync(ExecutionRecord rec)
    {
        if (_stateStore is not null)
        {
            try
            {
                await _stateStore.SaveAsync(rec).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw SaveFailed(rec, ex);
            }
        }

        Saved(rec);
    }

    /// <summary>
    /// The synchronous form of an asynchronous call: without a state store it has already completed; with one, the thread
    /// blocks in a task wait (for which the thread pool adds threads at once) until the save is durable.
    /// </summary>
    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private LocalEngineException SaveFailed(ExecutionRecord rec, Exception ex)
    {
        Detach(rec);
        return new LocalEngineException("ServiceException", 500, $"The local durable service could not save execution {rec.Arn}; the call failed, and the execution goes on from what the store holds: {ex.Message}");
    }

    private void Saved(ExecutionRecord rec)
    {
        if (rec.IsTerminal)
        {
            NoteEnded(rec);
        }
    }

    /// <summary>
    /// Ends the execution TIMED_OUT if its deadline has passed. The engine has no clock thread: the deadline is applied by
    /// the first call that looks at the execution on or after it (a timer the host fires, a checkpoint of an invocation that
    /// ran past it, a read), and the event carries the deadline as its time, so the history reads as if it fired on time.
    /// </summary>
    private void ExpireIfDue(ExecutionRecord rec)
    {
        if (!rec.IsTerminal && rec.Deadline is { } deadline && _time.GetUtcNow() >= deadline)
        {
            TimeOut(rec, deadline);
            Persist(rec);
        }
    }

    /// <summary>
    /// The service's execution timeout: the execution ends TIMED_OUT (ExecutionTimedOut, error <c>Execution.Timeout</c>).
    /// Open operations keep their last status and get no events; their timers and any callback or chained invoke still open
    /// are dead (callbacks answer as for a closed execution); a running invocation's later checkpoints are rejected.
    /// </summary>
    private static void TimeOut(ExecutionRecord rec, DateTimeOffset at)
    {
        Complete(rec, ExecutionStatus.TimedOut, null, new ErrorObject
        {
            ErrorType = "Execution.Timeout",
            ErrorMessage = $"The durable execution exceeded its execution timeout of {rec.ExecutionTimeoutSeconds} seconds.",
        }, at);
        rec.Token = null;
        rec.PagedState = null;
    }

    /// <summary>A checkpoint or state read for an execution that has ended (timed out, stopped, finished) is refused, not retried.</summary>
    /// <summary>
    /// The CheckpointToken member's own constraint (1–2048 characters), checked before the execution is looked at: a token
    /// that cannot be one is a bad request (not retryable), unlike a well-formed stale one. The service's HTTP routes and its
    /// in-process checkpoint port both reach it here.
    /// </summary>
    private static void CheckTokenFormat(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            throw new LocalEngineException("InvalidParameterValueException", 400, "CheckpointToken is required (1–2048 characters).");
        }
    }

    private static void RejectIfEnded(ExecutionRecord rec)
    {
        if (rec.IsTerminal)
        {
            throw new LocalEngineException(
                "InvalidParameterValueException",
                400,
                $"Durable execution {rec.Arn} has already ended ({UpperSnakeEnumConverter<ExecutionStatus>.ToToken(rec.Status)}); it accepts no more checkpoints.");
        }
    }

    /// <summary>Issues the execution's next checkpoint token (one per invocation start and per checkpoint).</summary>
    private string NextToken(ExecutionRecord rec)
    {
        if (_options.CheckpointTokenFactory is { } factory)
        {
            rec.TokenSeq++;
            return factory(rec.Arn);
        }

        return DeterministicToken(rec);
    }

    /// <summary>The emulator's token: base64 of <c>{"arn","seq","inv"}</c>. Reproducible, and so guessable.</summary>
    private static string DeterministicToken(ExecutionRecord rec)
    {
        // Same JSON as serializing {"arn","seq","inv"}, written directly: the engine issues a token per checkpoint.
        rec.TokenSeq++;
        var json = string.Concat(
            "{\"arn\":\"",
            rec.EncodedArn ??= JsonEncodedText.Encode(rec.Arn).ToString(),
            "\",\"seq\":",
            rec.TokenSeq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ",\"inv\":",
            rec.InvocationCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "}");
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>A reproducible id in the model's CallbackId alphabet (standard base64, <c>[A-Za-z0-9+/]+={0,2}</c>).</summary>
    private static string DeterministicCallbackId(string arn, string opId)
        => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(arn + "|" + opId)));

    private static string Hex(string s) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s))).ToLowerInvariant();

    /// <summary>An execution whose lock the caller holds; disposing releases it.</summary>
    private readonly struct Held(ExecutionRecord rec) : IDisposable
    {
        public ExecutionRecord Rec => rec;

        public void Dispose() => rec.Gate.Exit();
    }

    /// <summary>The kinds of engine timers.</summary>
    internal enum TimerKind
    {
        WaitEnd,
        RetryDue,
        CallbackTimeout,
        CallbackHeartbeat,
        ExecutionTimeout,
    }
}

/// <summary>Options of the local engine.</summary>
internal sealed record LocalEngineOptions
{
    /// <summary>The region written into ARNs.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>
    /// Creates callback ids from (execution ARN, operation id). The default is deterministic (for reproducible tests);
    /// the local durable service passes an unguessable generator.
    /// </summary>
    public Func<string, string, string>? CallbackIdFactory { get; init; }

    /// <summary>When positive, the invocation envelope carries at most this many operations and the rest is paged.</summary>
    public int InitialStatePageSize { get; init; }

    /// <summary>
    /// Creates each checkpoint token from the execution ARN. The default is the emulator's reproducible token (base64 of
    /// the ARN and counters), fine in-process; a service reachable over the network passes an unguessable generator, since a
    /// token is all it takes to checkpoint into an execution. Tokens must use the base64 alphabet (1–2048 characters).
    /// </summary>
    public Func<string, string>? CheckpointTokenFactory { get; init; }

    /// <summary>
    /// How many days an ended execution is kept (RetentionPeriodInDays, 1–90) when its start request names none; then it is
    /// purged (see <see cref="LocalDurableEngine"/>). <see langword="null"/> (the default, as in the test runner) keeps
    /// ended executions as long as the engine lives. The local durable service uses 14 days, the service's default.
    /// </summary>
    public int? RetentionPeriodInDays { get; init; }

    /// <summary>
    /// With a state store: how many ended executions stay in memory besides the running ones (least recently used dropped
    /// first; a dropped one is read from the store when asked for). Default 1,000. Without a store every execution stays in
    /// memory until its retention period has passed.
    /// </summary>
    public int CachedEndedExecutions { get; init; } = 1_000;

    /// <summary>
    /// Creates the id that ends an execution ARN (and names its EXECUTION operation): 1–64 characters of
    /// <c>[a-zA-Z0-9_-]</c>. The default hashes the name and the start count (reproducible); the local durable service
    /// passes a random one so ARNs cannot be derived.
    /// </summary>
    public Func<string>? ExecutionIdFactory { get; init; }
}

/// <summary>
/// A request the local durable engine refused, shaped like the service's answer: <see cref="CheckpointException.ErrorCode"/>
/// is the error type the API model declares (for example <c>ResourceNotFoundException</c>,
/// <c>InvalidParameterValueException</c>, <c>DurableExecutionAlreadyStartedException</c>, <c>CallbackTimeoutException</c>) and
/// <see cref="CheckpointException.StatusCode"/> its HTTP status. Users of <c>Durable.Fluent.Testing</c> and
/// <c>Durable.Fluent.LocalService</c> meet it from the in-process APIs — <c>LocalDurableService.StartExecution</c>,
/// <see cref="InvocationScript"/>'s callback methods, <see cref="DurableTestRunner"/> runs started with an invalid name or
/// timeout — and a workflow meets it where a real service would answer an error to a checkpoint. It derives from
/// <see cref="CheckpointException"/>, so code that handles the HTTP client's errors handles it the same way; over HTTP the
/// local service answers it as the service's error body with that status. Only the engine creates it.
/// </summary>
public sealed class LocalEngineException : CheckpointException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorType">The service error type, e.g. <c>InvalidParameterValueException</c>.</param>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <param name="message">The message.</param>
    internal LocalEngineException(string errorType, int statusCode, string message)
        : base(message, errorType, statusCode)
    {
    }
}
