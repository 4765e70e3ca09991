using System.Collections.Immutable;

namespace Durable.Fluent.Definition;

/// <summary>Concurrency settings shared by parallel and map nodes (validated when the node runs, before any checkpoint).</summary>
internal sealed record BatchSettings(int? MaxConcurrency, CompletionConfig Completion, NestingType Nesting, int BatchSize)
{
    public static BatchSettings Default { get; } = new(null, new CompletionConfig(), NestingType.Nested, 1);
}

/// <summary>One declared branch of a parallel: its body chain, optional name and result codec.</summary>
internal sealed record ParallelBranchSpec(Chain Body, string? Name, CodecSpec Codec);

/// <summary>
/// Builds the typed result of a batch from the dispatched units' outcomes. <c>parentId</c> is the parallel/map operation id
/// (used to name the failed units' ids in their errors).
/// </summary>
internal delegate object BatchMaterializer(IReadOnlyList<Interpretation.ItemOutcome> outcomes, CompletionReason reason, string parentId, int batchSize);

/// <summary>A CONTEXT (SubType Parallel) running declared branches as ParallelBranch child contexts (or virtual ones when FLAT).</summary>
internal sealed record ParallelNode(ImmutableArray<ParallelBranchSpec> Branches, BatchSettings Settings, BatchMaterializer Materialize) : Node, INestedChains
{
    public override string Kind => "Parallel";

    /// <summary>An operation-level serializer for the whole result, when configured.</summary>
    public CodecSpec? ResultCodec { get; init; }

    public IEnumerable<(Chain Chain, string Label)> GetNestedChains()
    {
        for (var i = 0; i < Branches.Length; i++)
        {
            yield return (Branches[i].Body, $"branch {Branches[i].Name ?? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }
    }
}

/// <summary>
/// A CONTEXT (SubType Map) running <see cref="Body"/> once per item, each item (or batch of <see cref="BatchSettings.BatchSize"/>
/// items) in a MapIteration child context (or a virtual one when FLAT).
/// </summary>
internal sealed record MapNode(
    Func<object?, IReadOnlyList<object?>> Items,
    Func<object?, int, object?> ItemInput,
    Chain Body,
    CodecSpec ItemCodec,
    BatchSettings Settings,
    BatchMaterializer Materialize) : Node, INestedChains
{
    public override string Kind => "Map";

    /// <summary>Names each item (and its iteration context); default <c>map-item-{index}</c>.</summary>
    public Func<object?, int, string>? ItemName { get; init; }

    /// <summary>An operation-level serializer for the whole result, when configured.</summary>
    public CodecSpec? ResultCodec { get; init; }

    public IEnumerable<(Chain Chain, string Label)> GetNestedChains()
    {
        yield return (Body, "item");
    }
}

/// <summary>Runs one of two arms in the same context; no operation is recorded for the choice itself.</summary>
internal sealed record IfNode(Func<object?, WorkflowContext, bool> Predicate, Chain Then, Chain Else) : Node, INestedChains
{
    public override string Kind => "If";

    public IEnumerable<(Chain Chain, string Label)> GetNestedChains()
    {
        yield return (Then, "then");
        yield return (Else, "else");
    }
}

/// <summary>Runs the arm whose key equals the selected value (or the default arm) in the same context; nothing is recorded for the choice.</summary>
internal sealed record SwitchNode(Func<object?, WorkflowContext, object?> Selector, ImmutableArray<SwitchCase> Cases, Chain? Default) : Node, INestedChains
{
    public override string Kind => "Switch";

    public IEnumerable<(Chain Chain, string Label)> GetNestedChains()
    {
        foreach (var c in Cases)
        {
            yield return (c.Body, $"case {c.Key}");
        }

        if (Default is not null)
        {
            yield return (Default, "default");
        }
    }
}

/// <summary>One arm of a <see cref="SwitchNode"/>.</summary>
internal sealed record SwitchCase(object? Key, Chain Body);
