using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent;

/// <summary>Why a parallel or map operation stopped (checked in this order: tolerance, all completed, minimum reached).</summary>
[JsonConverter(typeof(UpperSnakeEnumConverter<CompletionReason>))]
public enum CompletionReason
{
    /// <summary>Every dispatched unit settled and no early-stop rule fired (<c>ALL_COMPLETED</c>).</summary>
    AllCompleted,

    /// <summary><see cref="CompletionConfig.MinSuccessful"/> units succeeded before every unit ran (<c>MIN_SUCCESSFUL_REACHED</c>).</summary>
    MinSuccessfulReached,

    /// <summary>More units failed than the completion config tolerates (<c>FAILURE_TOLERANCE_EXCEEDED</c>).</summary>
    FailureToleranceExceeded,
}

/// <summary>The outcome of one branch or item.</summary>
[JsonConverter(typeof(UpperSnakeEnumConverter<BatchItemStatus>))]
public enum BatchItemStatus
{
    /// <summary>The unit returned a result.</summary>
    Succeeded,

    /// <summary>The unit raised an error.</summary>
    Failed,

    /// <summary>The unit started but had not settled when the batch completed (kept for payloads written by other SDKs; Durable.Fluent lets in-flight units finish).</summary>
    Started,
}

/// <summary>The overall status of a batch: <see cref="Failed"/> as soon as one unit failed, whatever the completion reason.</summary>
[JsonConverter(typeof(UpperSnakeEnumConverter<BatchStatus>))]
public enum BatchStatus
{
    /// <summary>No unit failed.</summary>
    Succeeded,

    /// <summary>At least one unit failed.</summary>
    Failed,
}

/// <summary>How branch and item bodies are checkpointed.</summary>
public enum NestingType
{
    /// <summary>Each branch or item runs in its own child context (CONTEXT ParallelBranch / MapIteration). The default.</summary>
    Nested,

    /// <summary>
    /// No per-unit contexts: the operations of a unit are parented directly to the parallel/map operation, while their ids are
    /// still prefixed by the unit's (virtual) id. Fewer operations and events; a finished unit's operations are replayed one by one.
    /// </summary>
    Flat,
}

/// <summary>One branch or item of a batch.</summary>
/// <typeparam name="T">The result type.</typeparam>
/// <param name="Index">The zero-based branch or item index.</param>
/// <param name="Name">The branch or item name.</param>
/// <param name="Status">Succeeded, failed or (payloads of other SDKs only) started.</param>
/// <param name="Result">The result when succeeded; default otherwise.</param>
/// <param name="Error">The error when failed; <see langword="null"/> otherwise.</param>
public sealed record BatchItem<T>(int Index, string? Name, BatchItemStatus Status, T? Result, BatchItemFailedException? Error);

/// <summary>
/// The typed result of a map or homogeneous parallel. Units that were never dispatched (the batch completed early) are left out
/// of <see cref="All"/> and <see cref="TotalCount"/>. The operation itself never throws on unit failures: inspect
/// <see cref="CompletionReason"/>, <see cref="HasFailure"/> or call <see cref="ThrowIfError"/>.
/// </summary>
/// <typeparam name="T">The per-unit result type.</typeparam>
public sealed class BatchResult<T> : IBatchView
{
    /// <summary>Creates a batch result (custom operation-level serializers rebuild results with it).</summary>
    /// <param name="all">The dispatched units, any order (they are sorted by index).</param>
    /// <param name="completionReason">Why the batch stopped.</param>
    public BatchResult(IEnumerable<BatchItem<T>> all, CompletionReason completionReason)
    {
        ArgumentNullException.ThrowIfNull(all);
        All = all.OrderBy(i => i.Index).ToImmutableArray();
        CompletionReason = completionReason;
    }

    /// <summary>Every dispatched unit, in index order.</summary>
    public IReadOnlyList<BatchItem<T>> All { get; }

    /// <summary>Why the batch stopped.</summary>
    public CompletionReason CompletionReason { get; }

    /// <summary>The results of the succeeded units, in index order.</summary>
    public IReadOnlyList<T> Results => All.Where(i => i.Status == BatchItemStatus.Succeeded).Select(i => i.Result!).ToList();

    /// <summary>The errors of the failed units, in index order.</summary>
    public IReadOnlyList<BatchItemFailedException> Errors => All.Where(i => i.Error is not null).Select(i => i.Error!).ToList();

    /// <summary>How many units succeeded.</summary>
    public int SuccessCount => All.Count(i => i.Status == BatchItemStatus.Succeeded);

    /// <summary>How many units failed.</summary>
    public int FailureCount => All.Count(i => i.Status == BatchItemStatus.Failed);

    /// <summary>How many units were started but not settled (always 0 for batches Durable.Fluent ran).</summary>
    public int StartedCount => All.Count(i => i.Status == BatchItemStatus.Started);

    /// <summary>How many units were dispatched (undispatched units are not counted).</summary>
    public int TotalCount => All.Count;

    /// <summary>Whether at least one unit failed.</summary>
    public bool HasFailure => All.Any(i => i.Status == BatchItemStatus.Failed);

    /// <summary><see cref="BatchStatus.Failed"/> when at least one unit failed.</summary>
    public BatchStatus Status => HasFailure ? BatchStatus.Failed : BatchStatus.Succeeded;

    CompletionReason IBatchView.Reason => CompletionReason;

    IReadOnlyList<Interpretation.ItemOutcome> IBatchView.Outcomes
        => All.Select(i => new Interpretation.ItemOutcome(i.Index, i.Name, i.Status, i.Result, i.Error?.Error)).ToList();

    /// <summary>The succeeded units.</summary>
    /// <returns>The units, in index order.</returns>
    public IReadOnlyList<BatchItem<T>> Succeeded() => All.Where(i => i.Status == BatchItemStatus.Succeeded).ToList();

    /// <summary>The failed units.</summary>
    /// <returns>The units, in index order.</returns>
    public IReadOnlyList<BatchItem<T>> Failed() => All.Where(i => i.Status == BatchItemStatus.Failed).ToList();

    /// <summary>The units started but not settled.</summary>
    /// <returns>The units, in index order.</returns>
    public IReadOnlyList<BatchItem<T>> Started() => All.Where(i => i.Status == BatchItemStatus.Started).ToList();

    /// <summary>Rethrows the error of the first failed unit (by index), if any.</summary>
    /// <exception cref="BatchItemFailedException">A unit failed.</exception>
    public void ThrowIfError()
    {
        var first = All.FirstOrDefault(i => i.Error is not null);
        if (first is not null)
        {
            throw first.Error!;
        }
    }
}

/// <summary>
/// The typed result of a parallel with heterogeneous branches. <c>BranchK</c> is branch K's item (null if it was never
/// dispatched); <c>Values</c> is the tuple of all branch results and throws if a branch did not succeed; <see cref="Batch"/>
/// has the completion info (reason, counts, errors) with results as <see cref="object"/>.
/// </summary>
public abstract class ParallelResult : IBatchView
{
    private protected ParallelResult(BatchResult<object?> batch) => Batch = batch;

    /// <summary>The completion info and the untyped results, in branch order.</summary>
    public BatchResult<object?> Batch { get; }

    /// <summary>Why the parallel stopped.</summary>
    public CompletionReason CompletionReason => Batch.CompletionReason;

    /// <summary>Whether at least one branch failed.</summary>
    public bool HasFailure => Batch.HasFailure;

    IReadOnlyList<Interpretation.ItemOutcome> IBatchView.Outcomes => ((IBatchView)Batch).Outcomes;

    CompletionReason IBatchView.Reason => Batch.CompletionReason;

    /// <summary>Rethrows the first branch failure, if any.</summary>
    /// <exception cref="BatchItemFailedException">A branch failed.</exception>
    public void ThrowIfError() => Batch.ThrowIfError();

    private protected BatchItem<T>? Item<T>(int index)
    {
        var item = Batch.All.FirstOrDefault(i => i.Index == index);
        return item is null ? null : new BatchItem<T>(item.Index, item.Name, item.Status, item.Status == BatchItemStatus.Succeeded ? (T)item.Result! : default, item.Error);
    }

    private protected T Value<T>(int index)
    {
        var item = Item<T>(index);
        if (item is null)
        {
            throw new InvalidOperationException($"Parallel branch {index} was never started: the parallel completed early ({CompletionReason}). Check BranchN or Batch before reading Values.");
        }

        if (item.Status != BatchItemStatus.Succeeded)
        {
            throw item.Error ?? (Exception)new InvalidOperationException($"Parallel branch {index} did not finish.");
        }

        return item.Result!;
    }
}

/// <summary>Internal view of a batch result used by the payload codec.</summary>
internal interface IBatchView
{
    IReadOnlyList<Interpretation.ItemOutcome> Outcomes { get; }

    CompletionReason Reason { get; }
}
