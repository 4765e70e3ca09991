using System.Globalization;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Definition;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Runs parallel and map nodes on the shared CONTEXT protocol (<see cref="ChildExecutor.RunContextAsync"/>).
/// <list type="bullet">
/// <item>Before anything is checkpointed: validate max concurrency ≥ 1 and the completion config against the unit count
/// (<see cref="BatchConfigurationException"/>; the operation records no events).</item>
/// <item>Units (branches, items, or item batches) are dispatched in index order as concurrent tasks, at most MaxConcurrency in
/// flight. A suspended unit keeps its slot. Unit n's id is SHA-256 of <c>"&lt;opId&gt;-&lt;n&gt;"</c> (n = index + 1), whatever
/// the thread timing. Units already recorded in the log are always re-dispatched, so replay follows the first run.</item>
/// <item>Dispatching stops when the completion policy is met; units already in flight are allowed to finish (the .NET SDK's
/// rule), so every reported unit is SUCCEEDED or FAILED and no orphaned work keeps running after the invocation returns.
/// Undispatched units are left out of the result.</item>
/// <item>A unit that fails fatally (a checkpoint call failed, a simulated crash, a non-deterministic replay) aborts the run
/// (<see cref="ExecutionRun.Abort"/>): no unit is claimed and no node or body starts any more, running bodies see their
/// token cancelled, and the error leaves only when every worker has ended — nothing the user wrote runs after the
/// invocation returns or throws.</item>
/// <item>When every dispatched unit is done or suspended but one is suspended, the node suspends.</item>
/// <item>The parent always SUCCEEDs. Above 256 KiB it writes a summary with ReplayChildren; replay then re-runs only the
/// units the summary lists as completed (each returns its own checkpointed result).</item>
/// </list>
/// </summary>
internal static class BatchExecutor
{
    public static ValueTask<NodeOutcome> ExecuteAsync(ParallelNode node, Frame frame, object? value)
    {
        var branches = node.Branches;
        var plan = new BatchPlan(
            OperationSubTypes.Parallel,
            OperationSubTypes.ParallelBranch,
            "ParallelResult",
            branches.Length,
            i => branches[i].Name ?? $"parallel-branch-{i}",
            i => branches[i].Codec,
            (i, f) => ChainRunner.RunAsync(branches[i].Body, f, value),
            node.Settings with { BatchSize = 1 },
            node.Materialize,
            node.ResultCodec);
        return RunAsync(node, frame, value, plan);
    }

    public static ValueTask<NodeOutcome> ExecuteAsync(MapNode node, Frame frame, object? value)
    {
        var items = node.Items(value);
        var plan = new BatchPlan(
            OperationSubTypes.Map,
            OperationSubTypes.MapIteration,
            "MapResult",
            items.Count,
            i => node.ItemName is null ? $"map-item-{i}" : node.ItemName(items[i], i),
            _ => node.ItemCodec,
            (i, f) => ChainRunner.RunAsync(node.Body, f, node.ItemInput(items[i], i)),
            node.Settings,
            node.Materialize,
            node.ResultCodec);
        return RunAsync(node, frame, value, plan);
    }

    private static ValueTask<NodeOutcome> RunAsync(Node node, Frame frame, object? value, BatchPlan plan)
    {
        var run = frame.Run;
        var name = Replay.Name(node, frame, value);
        Validate(plan, $"{plan.SubType} '{name ?? "(unnamed)"}'");
        var id = frame.NextId();
        var recorded = run.Find(id);
        var summary = recorded is { Status: OperationStatus.Succeeded, ContextDetails.ReplayChildren: true }
            ? BatchCodecs.ReadSummary(recorded.ContextDetails?.Result)
            : null;
        var replayChildren = recorded is { Status: OperationStatus.Succeeded, ContextDetails.ReplayChildren: true };
        var codec = plan.ResultCodec ?? CodecSpec.FromFactory(json => new BatchPayloadCodec(i => plan.ItemCodec(i).Resolve(json), plan.Materialize, plan.Settings.BatchSize, json));
        return ChildExecutor.RunContextAsync(
            frame,
            value,
            name,
            plan.SubType,
            node.Describe(),
            codec,
            (childFrame, _) => RunUnitsAsync(childFrame, id, plan, replayChildren, summary),
            childInput: frame.Input,
            summary: v => BatchCodecs.Summary((IBatchView)v!, plan.SummaryType),
            id: id);
    }

    private static void Validate(BatchPlan plan, string what)
    {
        if (plan.Settings.MaxConcurrency is < 1)
        {
            throw new BatchConfigurationException($"{what}: MaxConcurrency is {plan.Settings.MaxConcurrency}; it must be at least 1 (omit it for no limit).");
        }

        if (plan.Settings.BatchSize < 1)
        {
            throw new BatchConfigurationException($"{what}: BatchSize is {plan.Settings.BatchSize}; it must be at least 1.");
        }

        plan.Settings.Completion.Validate(plan.ItemCount, what);
    }

    private static async ValueTask<NodeOutcome> RunUnitsAsync(Frame parent, string parentId, BatchPlan plan, bool replayChildren, (HashSet<int> Completed, CompletionReason Reason)? summary)
    {
        var run = parent.Run;
        var total = plan.ItemCount;
        var batchSize = plan.Settings.BatchSize;
        var units = (total + batchSize - 1) / batchSize;
        var maxInFlight = plan.Settings.MaxConcurrency ?? int.MaxValue;
        var completion = plan.Settings.Completion;
        var outcomes = new ItemOutcome?[total];
        HashSet<int>? only = null;
        if (replayChildren)
        {
            only = summary is { } s
                ? s.Completed.Select(i => i / batchSize).ToHashSet()
                : Enumerable.Range(0, units).Where(u => IsRecorded(run, parentId, u, plan)).ToHashSet();
        }

        // Up to MaxConcurrency workers, each its own thread-pool task (so blocking bodies still run concurrently): a worker
        // claims the next unit in index order, runs it, records its outcome and claims the next one, until nothing is left to
        // dispatch. Claiming and recording happen under one lock, in the order units finish, so dispatching follows the same
        // rules as a single dispatcher (slots, completion policy, suspended units keeping their slot) without a thread-pool
        // hop and a channel round-trip per unit.
        var state = new DispatchState(run, parentId, plan, units, completion, total, only, outcomes);
        var initial = new List<int>();
        lock (state)
        {
            // The first wave is claimed before any unit runs, exactly as a single dispatcher would start it.
            while (initial.Count < maxInFlight && state.TryClaim() is var unit and >= 0)
            {
                initial.Add(unit);
            }

            state.Running = initial.Count;
        }

        if (initial.Count == 0)
        {
            state.Done.TrySetResult(null);
        }

        // Each worker is a lane of its own (starting with what this lane owes: its items run on this lane's values); this
        // lane is parked until they end. The batcher uses the count to let workers that checkpoint together share a request.
        run.Batcher.Fork(initial.Count);
        Task? fatal;
        try
        {
            // Every worker but the first goes to the thread pool; the first runs on this thread, which would otherwise only
            // park until the workers end: the batch is exactly as concurrent, with one thread-pool hop fewer (and none at
            // MaxConcurrency 1). It starts after its siblings are queued, so a blocking body here holds none of them back.
            for (var k = 1; k < initial.Count; k++)
            {
                var unit = initial[k];
                var lane = new CheckpointLane(parent.Lane);
                Watch(Task.Run(() => WorkAsync(parent, state, unit, lane), run.Cancellation), state);
            }

            if (initial.Count > 0)
            {
                Watch(run.Cancellation.IsCancellationRequested ? Task.FromCanceled(run.Cancellation) : WorkAsync(parent, state, initial[0], new CheckpointLane(parent.Lane)), state);
            }

            fatal = await state.Done.Task.ConfigureAwait(false);
        }
        finally
        {
            run.Batcher.Resume();
        }

        if (fatal is not null)
        {
            await fatal.ConfigureAwait(false); // rethrows the unit's fatal exception (or cancellation) as awaiting it directly would
        }

        bool suspended;
        int succeeded, failed;
        lock (state)
        {
            suspended = state.Suspended;
            succeeded = state.Succeeded;
            failed = state.Failed;
        }

        if (suspended)
        {
            return NodeOutcome.Suspended;
        }

        var reason = summary?.Reason ?? completion.Reason(succeeded, failed, total);
        var settled = outcomes.Where(o => o is not null).Select(o => o!).ToList();
        return NodeOutcome.Done(plan.Materialize(settled, reason, parentId, batchSize));
    }

    /// <summary>Reports the end of <paramref name="worker"/> to <paramref name="state"/> (on the thread that ends it).</summary>
    private static void Watch(Task worker, DispatchState state)
        => _ = worker.ContinueWith(static (t, s) => ((DispatchState)s!).WorkerEnded(t), state, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Runs <paramref name="unit"/>, then keeps claiming and running units while there is one to dispatch.</summary>
    private static async Task WorkAsync(Frame parent, DispatchState state, int unit, CheckpointLane lane)
    {
        while (true)
        {
            var result = await RunUnitAsync(parent, state.ParentId, unit, state.Plan, lane).ConfigureAwait(false);
            lock (state)
            {
                // A suspended unit keeps its slot: the worker ends.
                unit = state.Record(result) ? state.TryClaim() : -1;
            }

            if (unit < 0)
            {
                // A worker that ends sends what it owes now rather than when its slowest sibling ends: a result is never
                // left waiting for its checkpoint while other user code runs.
                await state.Run.Batcher.SettleAsync(lane, state.Run.Cancellation).ConfigureAwait(false);
                return;
            }

            state.Run.Cancellation.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Dispatch state shared by the workers of one batch; every member except <see cref="Done"/> is guarded by locking the instance.</summary>
    private sealed class DispatchState(ExecutionRun run, string parentId, BatchPlan plan, int units, CompletionConfig completion, int total, HashSet<int>? only, ItemOutcome?[] outcomes)
    {
        private int _next;
        private bool _stopped;
        private Task? _fatal;

        public ExecutionRun Run => run;

        public string ParentId => parentId;

        public BatchPlan Plan => plan;

        public int Running { get; set; }

        public int Succeeded { get; private set; }

        public int Failed { get; private set; }

        public bool Suspended { get; private set; }

        /// <summary>
        /// Completes when every worker has ended: with null, or with the first worker that ended with a fatal exception. The
        /// batch goes on on the thread of the last worker to end (it is completed outside the lock, after that worker's last
        /// checkpoint settled), as an await of that worker would: no thread-pool hop between the batch and the next node.
        /// </summary>
        public TaskCompletionSource<Task?> Done { get; } = new();

        /// <summary>The next unit to dispatch, or -1 when dispatching stops.</summary>
        public int TryClaim()
        {
            if (_stopped || run.IsAborted)
            {
                return -1;
            }

            while (_next < units)
            {
                if (only is not null)
                {
                    if (!only.Contains(_next))
                    {
                        _next++;
                        continue;
                    }
                }
                else if (completion.IsComplete(Succeeded, Failed, total) && !IsRecorded(run, parentId, _next, plan))
                {
                    return -1;
                }

                return _next++;
            }

            return -1;
        }

        /// <summary>Records a finished unit; false when it suspended.</summary>
        public bool Record(UnitResult result)
        {
            if (result.Suspended)
            {
                Suspended = true;
                return false;
            }

            foreach (var o in result.Items!)
            {
                outcomes[o.Index] = o;
                if (o.Status == BatchItemStatus.Succeeded)
                {
                    Succeeded++;
                }
                else
                {
                    Failed++;
                }
            }

            return true;
        }

        public void WorkerEnded(Task worker)
        {
            run.Batcher.WorkerEnded();
            Task? fatal = null;
            bool last;
            lock (this)
            {
                if (!worker.IsCompletedSuccessfully)
                {
                    _stopped = true;
                    _fatal ??= worker;
                }

                fatal = _fatal;
                last = --Running == 0;
            }

            if (!worker.IsCompletedSuccessfully)
            {
                // Stop the other workers at once; report only when the last one has ended (no orphaned bodies).
                run.Abort(worker.Exception?.InnerException ?? new OperationCanceledException("A unit of the batch was cancelled.", run.Cancellation));
            }

            if (last)
            {
                Done.TrySetResult(fatal);
            }
        }
    }

    /// <summary>Whether unit <paramref name="unit"/> left a trace in the log (its context, or in FLAT mode its first operation).</summary>
    private static bool IsRecorded(ExecutionRun run, string parentId, int unit, BatchPlan plan)
    {
        var unitId = OperationIds.Create(parentId, unit + 1);
        if (plan.Settings.Nesting == NestingType.Nested)
        {
            return run.Find(unitId) is not null;
        }

        var first = plan.Settings.BatchSize > 1 ? OperationIds.Create(OperationIds.Create(unitId, 1), 1) : OperationIds.Create(unitId, 1);
        return run.Find(first) is not null;
    }

    private static async ValueTask<UnitResult> RunUnitAsync(Frame parent, string parentId, int unit, BatchPlan plan, CheckpointLane lane)
    {
        var run = parent.Run;
        var batchSize = plan.Settings.BatchSize;
        var unitId = OperationIds.Create(parentId, unit + 1);
        var flat = plan.Settings.Nesting == NestingType.Flat;
        if (batchSize == 1)
        {
            var name = plan.ItemName(unit);
            try
            {
                var outcome = flat
                    ? await plan.RunItem(unit, new Frame(run, unitId, parentId, parent.Input, lane)).ConfigureAwait(false)
                    : await ChildExecutor.RunContextAsync(parent, null, name, plan.UnitSubType, $"{plan.UnitSubType} '{name}'", plan.ItemCodec(unit), (f, _) => plan.RunItem(unit, f), parent.Input, id: unitId, queueSucceed: true, lane: lane).ConfigureAwait(false);
                return outcome.IsSuspended ? UnitResult.Suspend : new UnitResult([new ItemOutcome(unit, name, BatchItemStatus.Succeeded, outcome.Value, null)]);
            }
            catch (Exception ex) when (!StepExecutor.IsFatal(ex, run))
            {
                var error = ex is ChildContextFailedException c && c.OperationId == unitId ? c.Error : ErrorObjects.From(ex);
                return new UnitResult([new ItemOutcome(unit, name, BatchItemStatus.Failed, null, error)]);
            }
        }

        // An item batch: its items run one after the other, each in a virtual frame under the batch context.
        var first = unit * batchSize;
        var count = Math.Min(batchSize, plan.ItemCount - first);
        if (flat)
        {
            var o = await RunItemsAsync(run, unitId, parentId, parent.Input, first, count, plan, lane).ConfigureAwait(false);
            return o.IsSuspended ? UnitResult.Suspend : new UnitResult((IReadOnlyList<ItemOutcome>)o.Value!);
        }

        var batchName = $"map-batch-{unit}";
        var codec = CodecSpec.FromFactory(json => new ItemBatchCodec(i => plan.ItemCodec(i).Resolve(json), json));
        try
        {
            var outcome = await ChildExecutor.RunContextAsync(parent, null, batchName, plan.UnitSubType, $"{plan.UnitSubType} '{batchName}'", codec, (f, _) => RunItemsAsync(run, unitId, unitId, f.Input, first, count, plan, f.Lane), parent.Input, id: unitId, queueSucceed: true, lane: lane).ConfigureAwait(false);
            return outcome.IsSuspended ? UnitResult.Suspend : new UnitResult((IReadOnlyList<ItemOutcome>)outcome.Value!);
        }
        catch (ChildContextFailedException ex) when (ex.OperationId == unitId)
        {
            return new UnitResult(Enumerable.Range(first, count).Select(i => new ItemOutcome(i, plan.ItemName(i), BatchItemStatus.Failed, null, ex.Error)).ToList());
        }
    }

    private static async ValueTask<NodeOutcome> RunItemsAsync(ExecutionRun run, string batchId, string parentIdOfItems, object? input, int first, int count, BatchPlan plan, CheckpointLane lane)
    {
        var results = new List<ItemOutcome>(count);
        for (var k = 0; k < count; k++)
        {
            var index = first + k;
            var name = plan.ItemName(index);
            var frame = new Frame(run, OperationIds.Create(batchId, k + 1), parentIdOfItems, input, lane);
            try
            {
                var o = await plan.RunItem(index, frame).ConfigureAwait(false);
                if (o.IsSuspended)
                {
                    return NodeOutcome.Suspended;
                }

                results.Add(new ItemOutcome(index, name, BatchItemStatus.Succeeded, o.Value, null));
            }
            catch (Exception ex) when (!StepExecutor.IsFatal(ex, run))
            {
                results.Add(new ItemOutcome(index, name, BatchItemStatus.Failed, null, ErrorObjects.From(ex)));
            }
        }

        return NodeOutcome.Done(results);
    }

    private sealed record UnitResult(IReadOnlyList<ItemOutcome>? Items)
    {
        public static UnitResult Suspend { get; } = new((IReadOnlyList<ItemOutcome>?)null);

        public bool Suspended => Items is null;
    }

    private sealed record BatchPlan(
        string SubType,
        string UnitSubType,
        string SummaryType,
        int ItemCount,
        Func<int, string> ItemName,
        Func<int, CodecSpec> ItemCodec,
        Func<int, Frame, ValueTask<NodeOutcome>> RunItem,
        BatchSettings Settings,
        BatchMaterializer Materialize,
        CodecSpec? ResultCodec);
}

/// <summary>Builds typed batch results from outcomes.</summary>
internal static class BatchMaterializers
{
    public static BatchResult<T> Homogeneous<T>(IReadOnlyList<ItemOutcome> outcomes, CompletionReason reason, string parentId, int batchSize)
        => new(outcomes.Select(o => new BatchItem<T>(
            o.Index,
            o.Name,
            o.Status,
            o.Status == BatchItemStatus.Succeeded ? (T)o.Value! : default,
            o.Error is null ? null : new BatchItemFailedException(o.Name, BatchCodecs.ItemOperationId(parentId, o.Index, batchSize), o.Index, o.Error))), reason);

    public static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
