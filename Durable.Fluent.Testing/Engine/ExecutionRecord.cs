using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing.Engine;

/// <summary>
/// The engine's mutable record of one execution. Guarded by its own <see cref="Gate"/>: the engine locks one execution at a
/// time, so calls on different executions run in parallel.
/// </summary>
internal sealed class ExecutionRecord
{
    public ExecutionRecord(string arn, string name, string functionName, string functionArn, string qualifier, DateTimeOffset start)
    {
        Arn = arn;
        Name = name;
        FunctionName = functionName;
        FunctionArn = functionArn;
        Qualifier = qualifier;
        Start = start;
    }

    /// <summary>
    /// The lock of this execution's state. A record is only read or changed while it is held. An asynchronous call holds it
    /// while it waits for its save to be durable (so no other call sees a change before it is stored), without holding a
    /// thread. Not reentrant.
    /// </summary>
    public ExecutionGate Gate { get; } = new();

    /// <summary>
    /// Set (under <see cref="Gate"/>) when the engine drops this record from memory (evicted from the cache, purged after
    /// retention, or replaced after a failed save). A caller that locked it afterwards looks the execution up again.
    /// </summary>
    public bool Detached { get; set; }

    /// <summary>The creation number: the order executions are listed in (kept in the store, so it survives restarts).</summary>
    public long Seq { get; init; }

    /// <summary>
    /// How many days the execution is kept once it has ended (RetentionPeriodInDays, 1–90), or null to keep it as long as
    /// the engine runs.
    /// </summary>
    public int? RetentionDays { get; init; }

    /// <summary>When the ended execution is purged (its end plus the retention period), or null while it runs or without retention.</summary>
    public DateTimeOffset? PurgeAt => End is { } end && RetentionDays is { } days ? end.AddDays(days) : null;

    /// <summary>How many of <see cref="Events"/> the state store already holds (it appends only the rest).</summary>
    public int StoredEventCount { get; set; }

    /// <summary>
    /// The state store's own note of what it last wrote for this record (opaque to the engine; null when the store knows
    /// nothing, e.g. just after a load): lets a store skip rows that did not change since.
    /// </summary>
    public object? StoreNote { get; set; }

    /// <summary>Whether the engine has done its bookkeeping for the end of this execution (cache or purge queue).</summary>
    public bool EndNoted { get; set; }

    /// <summary>This record's place in the engine's cache of ended executions, or null when it is not cached.</summary>
    public LinkedListNode<ExecutionRecord>? CacheNode { get; set; }

    public string Arn { get; }

    public string Name { get; }

    public string FunctionName { get; }

    public string FunctionArn { get; }

    public string Qualifier { get; }

    public DateTimeOffset Start { get; }

    public DateTimeOffset? End { get; set; }

    public string? InputPayload { get; init; }

    /// <summary>The tenant id the execution was started for (Invoke's <c>X-Amz-Tenant-Id</c>), if any.</summary>
    public string? TenantId { get; init; }

    /// <summary>The X-Ray trace header the execution was started with, if any.</summary>
    public string? TraceHeader { get; init; }

    public required string ExecutionOperationId { get; init; }

    /// <summary>The execution timeout (DurableConfig.ExecutionTimeout / ExecutionTimeoutSeconds), or null for none.</summary>
    public int? ExecutionTimeoutSeconds { get; init; }

    /// <summary>When the execution times out: <see cref="Start"/> plus the timeout, or null for none.</summary>
    public DateTimeOffset? Deadline => ExecutionTimeoutSeconds is { } s ? Start.AddSeconds(s) : null;

    public ExecutionStatus Status { get; set; } = ExecutionStatus.Running;

    public bool IsTerminal => Status != ExecutionStatus.Running;

    public string? Result { get; set; }

    public ErrorObject? Error { get; set; }

    public string? CheckpointedResult { get; set; }

    public ErrorObject? CheckpointedError { get; set; }

    public string? Token { get; set; }

    public long TokenSeq { get; set; }

    /// <summary>The ARN as JSON string content, cached for checkpoint tokens.</summary>
    public string? EncodedArn { get; set; }

    public int InvocationCount { get; set; }

    public DateTimeOffset? InvocationStart { get; set; }

    public List<Operation>? PagedState { get; set; }

    public Dictionary<string, OpRecord> Ops { get; } = new(StringComparer.Ordinal);

    public List<OpRecord> Order { get; } = new();

    public List<HistoryEvent> Events { get; } = new();

    /// <summary>Operations changed since the current invocation last saw them (checkpoint response delta).</summary>
    public HashSet<string> Unseen { get; } = new(StringComparer.Ordinal);

    /// <summary>Operations the service changed since the previous invocation (UpdatedOperationIds).</summary>
    public HashSet<string> UpdatedSinceInvocation { get; } = new(StringComparer.Ordinal);

    /// <summary>The last timer/creation sequence number handed out (persisted so a reloaded record continues it).</summary>
    public long TimerSeqCounter { get; set; }

    public long NextTimerSeq() => ++TimerSeqCounter;

    /// <summary>
    /// Operations that may hold a timer (waits, callbacks, steps waiting to retry), so the engine finds the next timer
    /// without scanning every operation on every invocation. A superset: <c>NextTimer</c> checks each and drops the ones
    /// that can no longer fire. An operation that enters a timer state after <see cref="Add"/> must be passed to
    /// <see cref="TrackTimer"/> (a step RETRY does this).
    /// </summary>
    public HashSet<OpRecord> TimerCandidates { get; } = new(ReferenceEqualityComparer.Instance);

    public void Add(OpRecord op)
    {
        Ops[op.Id] = op;
        Order.Add(op);
        if (op.Type is OperationType.Wait or OperationType.Callback || op.Status == OperationStatus.Pending)
        {
            TimerCandidates.Add(op);
        }
    }

    public void TrackTimer(OpRecord op) => TimerCandidates.Add(op);

    public void Touch(OpRecord op, bool service)
    {
        Unseen.Add(op.Id);
        if (service)
        {
            UpdatedSinceInvocation.Add(op.Id);
        }
    }

    public void Append(DateTimeOffset now, HistoryEventType type, OpRecord? op, EventDetails details, bool includeSubType = true, string? name = null)
        => Events.Add(new HistoryEvent
        {
            EventType = type,
            EventId = Events.Count + 1,
            EventTimestamp = now,
            Id = op?.Id,
            Name = name ?? op?.Name,
            ParentId = op?.ParentId,
            SubType = includeSubType ? op?.SubType : null,
            Details = details,
        });

    /// <summary>Whether an operation under <paramref name="parentId"/> belongs to a context that has already finished.</summary>
    public bool IsOrphan(string? parentId)
    {
        while (parentId is not null && Ops.TryGetValue(parentId, out var parent))
        {
            if (parent.Type == OperationType.Context && parent.Status is OperationStatus.Succeeded or OperationStatus.Failed)
            {
                return true;
            }

            parentId = parent.ParentId;
        }

        return false;
    }

    /// <summary>What the service returns as state: descendants of finished contexts are left out unless ReplayChildren.</summary>
    public IEnumerable<OpRecord> VisibleOperations()
    {
        foreach (var op in Order)
        {
            if (!HiddenByFinishedAncestor(op.ParentId))
            {
                yield return op;
            }
        }
    }

    private bool HiddenByFinishedAncestor(string? parentId)
    {
        while (parentId is not null && Ops.TryGetValue(parentId, out var parent))
        {
            if (parent.Type == OperationType.Context && parent.Status is OperationStatus.Succeeded or OperationStatus.Failed && parent.ReplayChildren != true)
            {
                return true;
            }

            parentId = parent.ParentId;
        }

        return false;
    }
}

/// <summary>The engine's mutable record of one operation.</summary>
internal sealed class OpRecord
{
    public OpRecord(string id, OperationType type, string? subType, string? name, string? parentId, DateTimeOffset start, long createdSeq)
    {
        Id = id;
        Type = type;
        SubType = subType;
        Name = name;
        ParentId = parentId;
        StartTimestamp = start;
        CreatedSeq = createdSeq;
        TimerSeq = createdSeq;
    }

    public string Id { get; }

    public OperationType Type { get; }

    public string? SubType { get; }

    public string? Name { get; }

    public string? ParentId { get; }

    public DateTimeOffset StartTimestamp { get; }

    public long CreatedSeq { get; }

    public long TimerSeq { get; set => Mark(ref field, value); }

    public OperationStatus Status { get; set => Set(ref field, value); } = OperationStatus.Started;

    public DateTimeOffset? EndTimestamp { get; set => Set(ref field, value); }

    public int Attempt { get; set => Set(ref field, value); }

    public DateTimeOffset? NextAttemptTimestamp { get; set => Set(ref field, value); }

    public string? Result { get; set => Set(ref field, value); }

    public ErrorObject? Error { get; set => Set(ref field, value); }

    public bool? ReplayChildren { get; set => Set(ref field, value); }

    public int WaitSeconds { get; set => Mark(ref field, value); }

    public DateTimeOffset? ScheduledEnd { get; set => Set(ref field, value); }

    public string? CallbackId { get; set => Set(ref field, value); }

    public int TimeoutSeconds { get; set => Mark(ref field, value); }

    public int HeartbeatSeconds { get; set => Mark(ref field, value); }

    public DateTimeOffset? LastHeartbeat { get; set => Mark(ref field, value); }

    public string? InputPayload { get; set => Set(ref field, value); }

    public string? ChildArn { get; set => Mark(ref field, value); }

    /// <summary>
    /// The wire view of this operation. It is cached until a field it shows changes, so the state the engine hands out on
    /// every invocation and checkpoint (often thousands of unchanged operations) is not rebuilt each time. Operations are
    /// immutable records, so sharing one instance between answers is safe.
    /// </summary>
    public Operation ToOperation() => _snapshot ??= CreateOperation();

    private Operation? _snapshot;

    /// <summary>
    /// Whether a field the state store keeps changed since the store last wrote this operation (new operations start
    /// dirty), so a save writes only the operations that changed. The store clears it once its transaction committed.
    /// </summary>
    public bool Dirty { get; set; } = true;

    private void Set<T>(ref T field, T value)
    {
        field = value;
        _snapshot = null;
        Dirty = true;
    }

    private void Mark<T>(ref T field, T value)
    {
        field = value;
        Dirty = true;
    }

    private Operation CreateOperation() => new()
    {
        Id = Id,
        ParentId = ParentId,
        Name = Name,
        Type = Type,
        SubType = SubType,
        Status = Status,
        StartTimestamp = StartTimestamp,
        EndTimestamp = EndTimestamp,
        ExecutionDetails = Type == OperationType.Execution ? new ExecutionDetails { InputPayload = InputPayload } : null,
        StepDetails = Type == OperationType.Step ? new StepDetails { Attempt = Attempt, NextAttemptTimestamp = NextAttemptTimestamp, Result = Result, Error = Error } : null,
        ContextDetails = Type == OperationType.Context ? new ContextDetails { Result = Result, Error = Error, ReplayChildren = ReplayChildren } : null,
        WaitDetails = Type == OperationType.Wait ? new WaitDetails { ScheduledEndTimestamp = ScheduledEnd } : null,
        CallbackDetails = Type == OperationType.Callback ? new CallbackDetails { CallbackId = CallbackId, Result = Result, Error = Error } : null,
        ChainedInvokeDetails = Type == OperationType.ChainedInvoke ? new ChainedInvokeDetails { Result = Result, Error = Error } : null,
    };
}

/// <summary>
/// The lock of one execution (<see cref="ExecutionRecord.Gate"/>): a lock that an asynchronous call can hold across an
/// <c>await</c> (while its save is being made durable) and release from another thread, which a monitor cannot. Not
/// reentrant: a thread holding it must not enter it again.
/// </summary>
internal sealed class ExecutionGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    /// <summary>Waits until the lock is free and takes it.</summary>
    public void Enter() => _semaphore.Wait();

    /// <summary>Takes the lock if it is free right now.</summary>
    /// <returns>Whether it was taken.</returns>
    public bool TryEnter() => _semaphore.Wait(0);

    /// <summary>Takes the lock, waiting without blocking a thread.</summary>
    /// <returns>A task completed once the lock is held.</returns>
    public Task EnterAsync() => _semaphore.WaitAsync();

    /// <summary>Releases the lock (from any thread).</summary>
    public void Exit() => _semaphore.Release();
}
