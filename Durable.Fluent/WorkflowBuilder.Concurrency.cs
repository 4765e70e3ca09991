using System.Collections.Immutable;
using Durable.Fluent.Definition;
using Durable.Fluent.Interpretation;

namespace Durable.Fluent;

public sealed partial class WorkflowBuilder<TIn, TCur>
{
    /// <summary>
    /// Runs branches with different result types concurrently, each in a ParallelBranch child context under a Parallel context:
    /// <c>.Parallel("load_profile", p =&gt; p.Branch("user", b =&gt; b.Then(...)).Branch("orders", b =&gt; b.Then(...)))</c> yields a
    /// <see cref="ParallelResult{T1, T2}"/> whose <c>Values</c> is the typed tuple <c>(TUser, TOrders)</c> and whose
    /// <see cref="ParallelResult.Batch"/> has the completion info. The operation always succeeds; branch failures are in the
    /// result (see <see cref="CompletionConfig"/>).
    /// </summary>
    /// <typeparam name="TResult">The typed result (inferred from the branches).</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="branches">Declares the branches.</param>
    /// <param name="configure">Optional: max concurrency, completion policy, nesting.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TResult> Parallel<TResult>(OperationName name, Func<ParallelBuilder<TIn, TCur>, IParallelBranches<TResult>> branches, Action<ParallelConfigurator>? configure = null)
        => AddParallel(name, branches, configure);

    /// <summary>Runs heterogeneous branches concurrently, without an operation name (see the named overload).</summary>
    /// <typeparam name="TResult">The typed result (inferred from the branches).</typeparam>
    /// <param name="branches">Declares the branches.</param>
    /// <param name="configure">Optional: max concurrency, completion policy, nesting.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TResult> Parallel<TResult>(Func<ParallelBuilder<TIn, TCur>, IParallelBranches<TResult>> branches, Action<ParallelConfigurator>? configure = null)
        => AddParallel(null, branches, configure);

    /// <summary>
    /// Runs any number of branches that all produce <typeparamref name="T"/> concurrently (default names
    /// <c>parallel-branch-{index}</c>) and yields a <see cref="BatchResult{T}"/>.
    /// </summary>
    /// <typeparam name="T">The branch result type.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="branches">The branch chains, in index order.</param>
    /// <param name="configure">Optional: concurrency, completion, nesting, serializers.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, BatchResult<T>> Parallel<T>(OperationName name, IEnumerable<Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T>>> branches, Action<ParallelConfigurator<T>>? configure = null)
        => AddParallel(name, branches, configure);

    /// <summary>Runs homogeneous branches concurrently, without an operation name.</summary>
    /// <typeparam name="T">The branch result type.</typeparam>
    /// <param name="branches">The branch chains, in index order.</param>
    /// <param name="configure">Optional: concurrency, completion, nesting, serializers.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, BatchResult<T>> Parallel<T>(IEnumerable<Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T>>> branches, Action<ParallelConfigurator<T>>? configure = null)
        => AddParallel(null, branches, configure);

    /// <summary>
    /// Runs a sub-chain for each item of a collection taken from the current value, each item in a MapIteration child context
    /// under a Map context, and yields a <see cref="BatchResult{TResult}"/> (one entry per dispatched item, in item order).
    /// <c>.Map("process_items", order =&gt; order.Items, item =&gt; item.Then("charge", ...), m =&gt; m.MaxConcurrency(5))</c>.
    /// </summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <typeparam name="TResult">The per-item result type.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="items">Selects the items from the current value (deterministic: it sees only checkpointed values).</param>
    /// <param name="body">Builds the per-item chain; its first node receives the item.</param>
    /// <param name="configure">Optional: concurrency, completion, item names, batching, nesting, serializers.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, BatchResult<TResult>> Map<TItem, TResult>(OperationName name, Func<TCur, IEnumerable<TItem>> items, Func<WorkflowBuilder<TIn, TItem>, WorkflowBuilder<TIn, TResult>> body, Action<MapConfigurator<TItem, TResult>>? configure = null)
        => AddMap(name, items, body, configure);

    /// <summary>Maps items with a per-item chain, without an operation name.</summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <typeparam name="TResult">The per-item result type.</typeparam>
    /// <param name="items">Selects the items from the current value.</param>
    /// <param name="body">Builds the per-item chain.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, BatchResult<TResult>> Map<TItem, TResult>(Func<TCur, IEnumerable<TItem>> items, Func<WorkflowBuilder<TIn, TItem>, WorkflowBuilder<TIn, TResult>> body, Action<MapConfigurator<TItem, TResult>>? configure = null)
        => AddMap(null, items, body, configure);

    /// <summary>
    /// Maps items with a pure function of the item and its zero-based index (no inner operation; each item still gets its
    /// MapIteration context, whose payload is the function's result).
    /// </summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <typeparam name="TResult">The per-item result type.</typeparam>
    /// <param name="name">The operation name.</param>
    /// <param name="items">Selects the items from the current value.</param>
    /// <param name="map">Computes an item's result from the item and its index; it must be deterministic.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, BatchResult<TResult>> Map<TItem, TResult>(OperationName name, Func<TCur, IEnumerable<TItem>> items, Func<TItem, int, TResult> map, Action<MapConfigurator<TItem, TResult>>? configure = null)
        => AddMap(name, items, map, configure);

    /// <summary>Maps items with a pure function of the item and its index, without an operation name.</summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <typeparam name="TResult">The per-item result type.</typeparam>
    /// <param name="items">Selects the items from the current value.</param>
    /// <param name="map">Computes an item's result from the item and its index.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, BatchResult<TResult>> Map<TItem, TResult>(Func<TCur, IEnumerable<TItem>> items, Func<TItem, int, TResult> map, Action<MapConfigurator<TItem, TResult>>? configure = null)
        => AddMap(null, items, map, configure);

    private WorkflowBuilder<TIn, TResult> AddParallel<TResult>(OperationName? name, Func<ParallelBuilder<TIn, TCur>, IParallelBranches<TResult>> branches, Action<ParallelConfigurator>? configure)
    {
        ArgumentNullException.ThrowIfNull(branches);
        var declared = branches(new ParallelBuilder<TIn, TCur>());
        var cfg = new ParallelConfigurator();
        configure?.Invoke(cfg);
        var node = new ParallelNode(
            declared.Branches,
            cfg.Settings,
            (o, r, id, bs) => declared.Create(BatchMaterializers.Homogeneous<object?>(o, r, id, bs))!)
        { Name = name };
        return new(Chain.Append(node));
    }

    private WorkflowBuilder<TIn, BatchResult<T>> AddParallel<T>(OperationName? name, IEnumerable<Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T>>> branches, Action<ParallelConfigurator<T>>? configure)
    {
        ArgumentNullException.ThrowIfNull(branches);
        var cfg = new ParallelConfigurator<T>();
        configure?.Invoke(cfg);
        var specs = branches.Select(b => ParallelBranches.Spec<TIn, TCur, T>(null, b, null) with { Codec = cfg.ItemCodec }).ToImmutableArray();
        var node = new ParallelNode(specs, cfg.Settings, (o, r, id, bs) => BatchMaterializers.Homogeneous<T>(o, r, id, bs))
        {
            Name = name,
            ResultCodec = cfg.ResultCodec,
        };
        return new(Chain.Append(node));
    }

    private WorkflowBuilder<TIn, BatchResult<TResult>> AddMap<TItem, TResult>(OperationName? name, Func<TCur, IEnumerable<TItem>> items, Func<WorkflowBuilder<TIn, TItem>, WorkflowBuilder<TIn, TResult>> body, Action<MapConfigurator<TItem, TResult>>? configure)
    {
        ArgumentNullException.ThrowIfNull(body);
        var chain = body(new WorkflowBuilder<TIn, TItem>(Definition.Chain.Empty)).Chain;
        return AddMapNode(name, items, chain, static (item, _) => item, configure);
    }

    private WorkflowBuilder<TIn, BatchResult<TResult>> AddMap<TItem, TResult>(OperationName? name, Func<TCur, IEnumerable<TItem>> items, Func<TItem, int, TResult> map, Action<MapConfigurator<TItem, TResult>>? configure)
    {
        ArgumentNullException.ThrowIfNull(map);
        var chain = Definition.Chain.Empty.Append(new SelectNode((v, _) =>
        {
            var (item, index) = ((object? Item, int Index))v!;
            return map((TItem)item!, index);
        })
        { ResultType = typeof(TResult) });
        return AddMapNode(name, items, chain, static (item, index) => (item, index), configure);
    }

    private WorkflowBuilder<TIn, BatchResult<TResult>> AddMapNode<TItem, TResult>(OperationName? name, Func<TCur, IEnumerable<TItem>> items, Chain chain, Func<object?, int, object?> itemInput, Action<MapConfigurator<TItem, TResult>>? configure)
    {
        ArgumentNullException.ThrowIfNull(items);
        var cfg = new MapConfigurator<TItem, TResult>();
        configure?.Invoke(cfg);
        var node = new MapNode(
            v => items((TCur)v!).Select(i => (object?)i).ToList(),
            itemInput,
            chain,
            cfg.ItemCodec,
            cfg.Settings,
            (o, r, id, bs) => BatchMaterializers.Homogeneous<TResult>(o, r, id, bs))
        {
            Name = name,
            ItemName = cfg.Namer,
            ResultCodec = cfg.ResultCodec,
        };
        return new(Chain.Append(node));
    }
}
