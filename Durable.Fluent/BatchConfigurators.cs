using Durable.Fluent.Definition;
using Durable.Fluent.Serialization;

namespace Durable.Fluent;

/// <summary>Settings shared by parallel and map: max concurrency, completion policy, nesting.</summary>
/// <typeparam name="TSelf">The concrete configurator (for fluent chaining).</typeparam>
public abstract class BatchConfigurator<TSelf>
    where TSelf : BatchConfigurator<TSelf>
{
    private protected BatchConfigurator()
    {
    }

    internal BatchSettings Settings { get; private protected set; } = BatchSettings.Default;

    /// <summary>
    /// At most <paramref name="limit"/> units in flight at once (a suspended unit keeps its slot). Must be ≥ 1; it is checked
    /// when the operation runs, before anything is checkpointed (<see cref="BatchConfigurationException"/>). Default: no limit.
    /// </summary>
    /// <param name="limit">The limit.</param>
    /// <returns>This configurator.</returns>
    public TSelf MaxConcurrency(int limit)
    {
        Settings = Settings with { MaxConcurrency = limit };
        return (TSelf)this;
    }

    /// <summary>When to stop dispatching units (see <see cref="CompletionConfig"/>). Default: fail-fast.</summary>
    /// <param name="completion">The completion config.</param>
    /// <returns>This configurator.</returns>
    public TSelf Completion(CompletionConfig completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        Settings = Settings with { Completion = completion };
        return (TSelf)this;
    }

    /// <summary>Whether units run in their own child contexts (default) or FLAT in virtual contexts.</summary>
    /// <param name="nesting">The nesting type.</param>
    /// <returns>This configurator.</returns>
    public TSelf Nesting(NestingType nesting)
    {
        Settings = Settings with { Nesting = nesting };
        return (TSelf)this;
    }

    /// <summary>Shorthand for <c>Nesting(NestingType.Flat)</c>.</summary>
    /// <returns>This configurator.</returns>
    public TSelf Flat() => Nesting(NestingType.Flat);
}

/// <summary>Configures a parallel with heterogeneous branches (per-branch serializers are given on each <c>Branch</c>).</summary>
public sealed class ParallelConfigurator : BatchConfigurator<ParallelConfigurator>
{
    internal ParallelConfigurator()
    {
    }
}

/// <summary>Configures a parallel whose branches all produce <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The branch result type.</typeparam>
public sealed class ParallelConfigurator<T> : BatchConfigurator<ParallelConfigurator<T>>
{
    internal ParallelConfigurator()
    {
    }

    internal CodecSpec ItemCodec { get; private set; } = CodecSpec.JsonOf<T>();

    internal CodecSpec? ResultCodec { get; private set; }

    /// <summary>Serializes each branch result with <paramref name="serDes"/> (the branch contexts' payloads).</summary>
    /// <param name="serDes">The per-branch serializer.</param>
    /// <returns>This configurator.</returns>
    public ParallelConfigurator<T> ItemSerializer(ISerDes<T> serDes)
    {
        ArgumentNullException.ThrowIfNull(serDes);
        ItemCodec = CodecSpec.Custom(serDes);
        return this;
    }

    /// <summary>Serializes the whole batch result (the parallel context's payload) with <paramref name="serDes"/>.</summary>
    /// <param name="serDes">The operation-level serializer.</param>
    /// <returns>This configurator.</returns>
    public ParallelConfigurator<T> SerializeWith(ISerDes<BatchResult<T>> serDes)
    {
        ArgumentNullException.ThrowIfNull(serDes);
        ResultCodec = CodecSpec.Custom(serDes);
        return this;
    }
}

/// <summary>Configures a map.</summary>
/// <typeparam name="TItem">The item type.</typeparam>
/// <typeparam name="TResult">The per-item result type.</typeparam>
public sealed class MapConfigurator<TItem, TResult> : BatchConfigurator<MapConfigurator<TItem, TResult>>
{
    internal MapConfigurator()
    {
    }

    internal Func<object?, int, string>? Namer { get; private set; }

    internal CodecSpec ItemCodec { get; private set; } = CodecSpec.JsonOf<TResult>();

    internal CodecSpec? ResultCodec { get; private set; }

    /// <summary>Names each item (the iteration context's name), e.g. <c>(item, i) =&gt; $"item-{i + 1}"</c>. Default <c>map-item-{i}</c>.</summary>
    /// <param name="namer">Computes the name from the item and its zero-based index; it must be deterministic.</param>
    /// <returns>This configurator.</returns>
    public MapConfigurator<TItem, TResult> ItemName(Func<TItem, int, string> namer)
    {
        ArgumentNullException.ThrowIfNull(namer);
        Namer = (item, i) => namer((TItem)item!, i);
        return this;
    }

    /// <summary>
    /// Runs <paramref name="size"/> items per MapIteration context (named <c>map-batch-{b}</c>) instead of one. Inside a batch the
    /// items run one after another, each with its own virtual id space (<c>"&lt;batchId&gt;-&lt;k&gt;"</c>) and its own success
    /// or failure; a failing item does not stop the rest of its batch. MaxConcurrency counts batches. The completion policy
    /// still counts items but is evaluated as batches settle, so a started batch always runs all its items. The result is still
    /// one <see cref="BatchItem{T}"/> per item. Use it to keep large maps under the operation limit.
    /// </summary>
    /// <param name="size">Items per batch (≥ 1; default 1).</param>
    /// <returns>This configurator.</returns>
    public MapConfigurator<TItem, TResult> BatchSize(int size)
    {
        Settings = Settings with { BatchSize = size };
        return this;
    }

    /// <summary>Serializes each item result with <paramref name="serDes"/> (iteration payloads).</summary>
    /// <param name="serDes">The per-item serializer.</param>
    /// <returns>This configurator.</returns>
    public MapConfigurator<TItem, TResult> ItemSerializer(ISerDes<TResult> serDes)
    {
        ArgumentNullException.ThrowIfNull(serDes);
        ItemCodec = CodecSpec.Custom(serDes);
        return this;
    }

    /// <summary>Serializes the whole batch result (the map context's payload) with <paramref name="serDes"/>.</summary>
    /// <param name="serDes">The operation-level serializer.</param>
    /// <returns>This configurator.</returns>
    public MapConfigurator<TItem, TResult> SerializeWith(ISerDes<BatchResult<TResult>> serDes)
    {
        ArgumentNullException.ThrowIfNull(serDes);
        ResultCodec = CodecSpec.Custom(serDes);
        return this;
    }
}
