using Durable.Fluent.Wire;

namespace Durable.Fluent.Checkpointing.Local;

/// <summary>The engine's mutable record of one execution. Guarded by the engine's lock.</summary>
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

    public string Arn { get; }

    public string Name { get; }

    public string FunctionName { get; }

    public string FunctionArn { get; }

    public string Qualifier { get; }

    public DateTimeOffset Start { get; }

    public DateTimeOffset? End { get; set; }

    public string? InputPayload { get; init; }

    public required string ExecutionOperationId { get; init; }

    public ExecutionStatus Status { get; set; } = ExecutionStatus.Running;

    public bool IsTerminal => Status != ExecutionStatus.Running;

    public string? Result { get; set; }

    public ErrorObject? Error { get; set; }

    public string? CheckpointedResult { get; set; }

    public ErrorObject? CheckpointedError { get; set; }

    public string? Token { get; set; }

    public long TokenSeq { get; set; }

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

    public void Add(OpRecord op)
    {
        Ops[op.Id] = op;
        Order.Add(op);
    }

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

    public long TimerSeq { get; set; }

    public OperationStatus Status { get; set; } = OperationStatus.Started;

    public DateTimeOffset? EndTimestamp { get; set; }

    public int Attempt { get; set; }

    public DateTimeOffset? NextAttemptTimestamp { get; set; }

    public string? Result { get; set; }

    public ErrorObject? Error { get; set; }

    public bool? ReplayChildren { get; set; }

    public int WaitSeconds { get; set; }

    public DateTimeOffset? ScheduledEnd { get; set; }

    public string? CallbackId { get; set; }

    public int TimeoutSeconds { get; set; }

    public int HeartbeatSeconds { get; set; }

    public DateTimeOffset? LastHeartbeat { get; set; }

    public string? InputPayload { get; set; }

    public string? ChildArn { get; set; }

    public Operation ToOperation() => new()
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
