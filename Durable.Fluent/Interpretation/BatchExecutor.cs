using System.Globalization;
using System.Threading.Channels;
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

        // Finished units report through a channel: one continuation per unit, instead of Task.WhenAny over every running
        // unit after each completion (O(units × concurrency) continuations and array copies). The dispatcher resumes on the
        // thread of the unit that finished (synchronous continuation) rather than after another thread-pool hop.
        var finished = Channel.CreateUnbounded<Task<UnitResult>>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
        var running = 0;
        int next = 0, inFlight = 0, succeeded = 0, failed = 0;
        var suspended = false;
        while (true)
        {
            while (next < units && inFlight < maxInFlight)
            {
                if (only is not null)
                {
                    if (!only.Contains(next))
                    {
                        next++;
                        continue;
                    }
                }
                else if (completion.IsComplete(succeeded, failed, total) && !IsRecorded(run, parentId, next, plan))
                {
                    break;
                }

                var unit = next++;
                inFlight++;
                running++;
                _ = Task.Run(() => RunUnitAsync(parent, parentId, unit, plan).AsTask(), run.Cancellation)
                    .ContinueWith(static (t, w) => ((ChannelWriter<Task<UnitResult>>)w!).TryWrite(t), finished.Writer, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            if (running == 0)
            {
                break;
            }

            var done = await finished.Reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            running--;
            var result = await done.ConfigureAwait(false);
            if (result.Suspended)
            {
                suspended = true; // keeps its slot: inFlight is not released
                continue;
            }

            inFlight--;
            foreach (var o in result.Items!)
            {
                outcomes[o.Index] = o;
                if (o.Status == BatchItemStatus.Succeeded)
                {
                    succeeded++;
                }
                else
                {
                    failed++;
                }
            }
        }

        if (suspended)
        {
            return NodeOutcome.Suspended;
        }

        var reason = summary?.Reason ?? completion.Reason(succeeded, failed, total);
        var settled = outcomes.Where(o => o is not null).Select(o => o!).ToList();
        return NodeOutcome.Done(plan.Materialize(settled, reason, parentId, batchSize));
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

    private static async ValueTask<UnitResult> RunUnitAsync(Frame parent, string parentId, int unit, BatchPlan plan)
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
                    ? await plan.RunItem(unit, new Frame(run, unitId, parentId, parent.Input)).ConfigureAwait(false)
                    : await ChildExecutor.RunContextAsync(parent, null, name, plan.UnitSubType, $"{plan.UnitSubType} '{name}'", plan.ItemCodec(unit), (f, _) => plan.RunItem(unit, f), parent.Input, id: unitId, queueSucceed: true).ConfigureAwait(false);
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
            var o = await RunItemsAsync(run, unitId, parentId, parent.Input, first, count, plan).ConfigureAwait(false);
            return o.IsSuspended ? UnitResult.Suspend : new UnitResult((IReadOnlyList<ItemOutcome>)o.Value!);
        }

        var batchName = $"map-batch-{unit}";
        var codec = CodecSpec.FromFactory(json => new ItemBatchCodec(i => plan.ItemCodec(i).Resolve(json), json));
        try
        {
            var outcome = await ChildExecutor.RunContextAsync(parent, null, batchName, plan.UnitSubType, $"{plan.UnitSubType} '{batchName}'", codec, (f, _) => RunItemsAsync(run, unitId, unitId, f.Input, first, count, plan), parent.Input, id: unitId, queueSucceed: true).ConfigureAwait(false);
            return outcome.IsSuspended ? UnitResult.Suspend : new UnitResult((IReadOnlyList<ItemOutcome>)outcome.Value!);
        }
        catch (ChildContextFailedException ex) when (ex.OperationId == unitId)
        {
            return new UnitResult(Enumerable.Range(first, count).Select(i => new ItemOutcome(i, plan.ItemName(i), BatchItemStatus.Failed, null, ex.Error)).ToList());
        }
    }

    private static async ValueTask<NodeOutcome> RunItemsAsync(ExecutionRun run, string batchId, string parentIdOfItems, object? input, int first, int count, BatchPlan plan)
    {
        var results = new List<ItemOutcome>(count);
        for (var k = 0; k < count; k++)
        {
            var index = first + k;
            var name = plan.ItemName(index);
            var frame = new Frame(run, OperationIds.Create(batchId, k + 1), parentIdOfItems, input);
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
