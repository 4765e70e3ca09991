namespace Durable.Fluent.Testing.Engine;

/// <summary>
/// The persistence seam of <see cref="LocalDurableEngine"/>: per-execution snapshots plus the indexed look-ups that let the
/// engine keep only some executions in memory. At start the engine loads the executions that have not ended (they run,
/// and their timers must fire); an ended execution is loaded when something asks for it (by ARN, by name, by callback id)
/// and dropped again from a bounded cache. The engine saves an execution, under that execution's lock, at the end of every
/// call that changed it, and keeps the lock until the save is durable; a save must be atomic (all of the execution's rows
/// or none), so a crash leaves the last completed call on disk. Saves of different executions may arrive concurrently.
/// </summary>
internal interface IEngineStateStore
{
    /// <summary>The highest creation number stored (0 when empty): the engine numbers new executions after it.</summary>
    long MaxSeq();

    /// <summary>The ARNs of the stored executions that have not ended, in creation order.</summary>
    IReadOnlyList<string> OpenArns();

    /// <summary>One stored execution, or <see langword="null"/> if it was never saved (or was purged).</summary>
    ExecutionRecord? Load(string arn);

    /// <summary>
    /// Saves the execution atomically. The rows are taken from the record before the call returns; the task completes once
    /// they are durable and faults when nothing was saved. The caller holds the execution's lock until the task completes,
    /// so the record does not change meanwhile and no other call sees a change before it is stored.
    /// </summary>
    /// <param name="rec">The execution.</param>
    /// <returns>A task that completes once the save is durable.</returns>
    Task SaveAsync(ExecutionRecord rec);

    /// <summary>Deletes every row of the executions, in one transaction (retention purge).</summary>
    void Delete(IReadOnlyCollection<string> arns);

    /// <summary>The ARN of the function's execution with that name, or <see langword="null"/>.</summary>
    string? FindByName(string functionName, string name);

    /// <summary>The execution and operation a callback id belongs to, or <see langword="null"/>.</summary>
    (string Arn, string OperationId)? FindCallback(string callbackId);

    /// <summary>Whether an execution with that ARN is stored.</summary>
    bool Exists(string arn);

    /// <summary>The executions matching the query (ended ones past their purge time left out), as summaries.</summary>
    IReadOnlyList<StoredExecution> List(ExecutionQuery query, DateTimeOffset now, int offset, int limit);

    /// <summary>How many executions match the query.</summary>
    long Count(ExecutionQuery query, DateTimeOffset now);

    /// <summary>Up to <paramref name="max"/> ARNs of ended executions whose purge time is at or before <paramref name="now"/>.</summary>
    IReadOnlyList<string> Expired(DateTimeOffset now, int max);
}

/// <summary>A stored execution as the list reads it: its snapshot and, while it runs, its execution-timeout deadline.</summary>
/// <param name="Snapshot">The snapshot.</param>
/// <param name="Deadline">When it times out, or null.</param>
internal sealed record StoredExecution(ExecutionSnapshot Snapshot, DateTimeOffset? Deadline);
