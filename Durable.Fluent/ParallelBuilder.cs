using System.Collections.Immutable;
using Durable.Fluent.Definition;
using Durable.Fluent.Serialization;

namespace Durable.Fluent;

/// <summary>The declared branches of a parallel and the typed result they produce.</summary>
/// <typeparam name="TResult">The result type (<see cref="ParallelResult{T1, T2}"/> and friends).</typeparam>
public interface IParallelBranches<out TResult>
{
    internal ImmutableArray<ParallelBranchSpec> Branches { get; }

    internal TResult Create(BatchResult<object?> batch);
}

/// <summary>
/// Declares the branches of a parallel, one <c>Branch</c> call each. Each call returns a builder with one more type argument,
/// so the parallel's result is a <see cref="ParallelResult{T1, T2}"/> (up to six branches) whose <c>Values</c> tuple is typed
/// per branch: no casts. Each branch body starts from the current value; <c>ctx.Input</c> stays the workflow input.
/// </summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The value every branch starts from.</typeparam>
public sealed class ParallelBuilder<TIn, TCur>
{
    internal ParallelBuilder()
    {
    }


    /// <summary>Adds a named branch (its ParallelBranch context carries the name).</summary>
    /// <typeparam name="T1">The branch result type.</typeparam>
    /// <param name="name">The branch name.</param>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1> Branch<T1>(string name, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T1>> body, ISerDes<T1>? serDes = null)
        => new(ImmutableArray<ParallelBranchSpec>.Empty.Add(ParallelBranches.Spec(name, body, serDes)));

    /// <summary>Adds an unnamed branch (default name <c>parallel-branch-{index}</c>).</summary>
    /// <typeparam name="T1">The branch result type.</typeparam>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1> Branch<T1>(Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T1>> body, ISerDes<T1>? serDes = null)
        => new(ImmutableArray<ParallelBranchSpec>.Empty.Add(ParallelBranches.Spec(null, body, serDes)));

}

/// <summary>A parallel declaration with 1 branch; add more with <c>Branch</c> (up to six).</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The value every branch starts from.</typeparam>
/// <typeparam name="T1">The first branch's result type.</typeparam>
public sealed class ParallelBuilder<TIn, TCur, T1> : IParallelBranches<ParallelResult<T1>>
{
    internal ParallelBuilder(ImmutableArray<ParallelBranchSpec> branches) => Branches = branches;

    ImmutableArray<ParallelBranchSpec> IParallelBranches<ParallelResult<T1>>.Branches => Branches;

    internal ImmutableArray<ParallelBranchSpec> Branches { get; }

    ParallelResult<T1> IParallelBranches<ParallelResult<T1>>.Create(BatchResult<object?> batch) => new(batch);

    /// <summary>Adds a named branch (its ParallelBranch context carries the name).</summary>
    /// <typeparam name="T2">The branch result type.</typeparam>
    /// <param name="name">The branch name.</param>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1, T2> Branch<T2>(string name, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T2>> body, ISerDes<T2>? serDes = null)
        => new(Branches.Add(ParallelBranches.Spec(name, body, serDes)));

    /// <summary>Adds an unnamed branch (default name <c>parallel-branch-{index}</c>).</summary>
    /// <typeparam name="T2">The branch result type.</typeparam>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1, T2> Branch<T2>(Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T2>> body, ISerDes<T2>? serDes = null)
        => new(Branches.Add(ParallelBranches.Spec(null, body, serDes)));

}

/// <summary>A parallel declaration with 2 branches; add more with <c>Branch</c> (up to six).</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The value every branch starts from.</typeparam>
/// <typeparam name="T1">The first branch's result type.</typeparam>
/// <typeparam name="T2">The second branch's result type.</typeparam>
public sealed class ParallelBuilder<TIn, TCur, T1, T2> : IParallelBranches<ParallelResult<T1, T2>>
{
    internal ParallelBuilder(ImmutableArray<ParallelBranchSpec> branches) => Branches = branches;

    ImmutableArray<ParallelBranchSpec> IParallelBranches<ParallelResult<T1, T2>>.Branches => Branches;

    internal ImmutableArray<ParallelBranchSpec> Branches { get; }

    ParallelResult<T1, T2> IParallelBranches<ParallelResult<T1, T2>>.Create(BatchResult<object?> batch) => new(batch);

    /// <summary>Adds a named branch (its ParallelBranch context carries the name).</summary>
    /// <typeparam name="T3">The branch result type.</typeparam>
    /// <param name="name">The branch name.</param>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1, T2, T3> Branch<T3>(string name, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T3>> body, ISerDes<T3>? serDes = null)
        => new(Branches.Add(ParallelBranches.Spec(name, body, serDes)));

    /// <summary>Adds an unnamed branch (default name <c>parallel-branch-{index}</c>).</summary>
    /// <typeparam name="T3">The branch result type.</typeparam>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1, T2, T3> Branch<T3>(Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T3>> body, ISerDes<T3>? serDes = null)
        => new(Branches.Add(ParallelBranches.Spec(null, body, serDes)));

}

/// <summary>A parallel declaration with 3 branches; add more with <c>Branch</c> (up to six).</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The value every branch starts from.</typeparam>
/// <typeparam name="T1">The first branch's result type.</typeparam>
/// <typeparam name="T2">The second branch's result type.</typeparam>
/// <typeparam name="T3">The third branch's result type.</typeparam>
public sealed class ParallelBuilder<TIn, TCur, T1, T2, T3> : IParallelBranches<ParallelResult<T1, T2, T3>>
{
    internal ParallelBuilder(ImmutableArray<ParallelBranchSpec> branches) => Branches = branches;

    ImmutableArray<ParallelBranchSpec> IParallelBranches<ParallelResult<T1, T2, T3>>.Branches => Branches;

    internal ImmutableArray<ParallelBranchSpec> Branches { get; }

    ParallelResult<T1, T2, T3> IParallelBranches<ParallelResult<T1, T2, T3>>.Create(BatchResult<object?> batch) => new(batch);

    /// <summary>Adds a named branch (its ParallelBranch context carries the name).</summary>
    /// <typeparam name="T4">The branch result type.</typeparam>
    /// <param name="name">The branch name.</param>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1, T2, T3, T4> Branch<T4>(string name, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T4>> body, ISerDes<T4>? serDes = null)
        => new(Branches.Add(ParallelBranches.Spec(name, body, serDes)));

    /// <summary>Adds an unnamed branch (default name <c>parallel-branch-{index}</c>).</summary>
    /// <typeparam name="T4">The branch result type.</typeparam>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1, T2, T3, T4> Branch<T4>(Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T4>> body, ISerDes<T4>? serDes = null)
        => new(Branches.Add(ParallelBranches.Spec(null, body, serDes)));

}

/// <summary>A parallel declaration with 4 branches; add more with <c>Branch</c> (up to six).</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The value every branch starts from.</typeparam>
/// <typeparam name="T1">The first branch's result type.</typeparam>
/// <typeparam name="T2">The second branch's result type.</typeparam>
/// <typeparam name="T3">The third branch's result type.</typeparam>
/// <typeparam name="T4">The fourth branch's result type.</typeparam>
public sealed class ParallelBuilder<TIn, TCur, T1, T2, T3, T4> : IParallelBranches<ParallelResult<T1, T2, T3, T4>>
{
    internal ParallelBuilder(ImmutableArray<ParallelBranchSpec> branches) => Branches = branches;

    ImmutableArray<ParallelBranchSpec> IParallelBranches<ParallelResult<T1, T2, T3, T4>>.Branches => Branches;

    internal ImmutableArray<ParallelBranchSpec> Branches { get; }

    ParallelResult<T1, T2, T3, T4> IParallelBranches<ParallelResult<T1, T2, T3, T4>>.Create(BatchResult<object?> batch) => new(batch);

    /// <summary>Adds a named branch (its ParallelBranch context carries the name).</summary>
    /// <typeparam name="T5">The branch result type.</typeparam>
    /// <param name="name">The branch name.</param>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1, T2, T3, T4, T5> Branch<T5>(string name, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T5>> body, ISerDes<T5>? serDes = null)
        => new(Branches.Add(ParallelBranches.Spec(name, body, serDes)));

    /// <summary>Adds an unnamed branch (default name <c>parallel-branch-{index}</c>).</summary>
    /// <typeparam name="T5">The branch result type.</typeparam>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1, T2, T3, T4, T5> Branch<T5>(Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T5>> body, ISerDes<T5>? serDes = null)
        => new(Branches.Add(ParallelBranches.Spec(null, body, serDes)));

}

/// <summary>A parallel declaration with 5 branches; add more with <c>Branch</c> (up to six).</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The value every branch starts from.</typeparam>
/// <typeparam name="T1">The first branch's result type.</typeparam>
/// <typeparam name="T2">The second branch's result type.</typeparam>
/// <typeparam name="T3">The third branch's result type.</typeparam>
/// <typeparam name="T4">The fourth branch's result type.</typeparam>
/// <typeparam name="T5">The fifth branch's result type.</typeparam>
public sealed class ParallelBuilder<TIn, TCur, T1, T2, T3, T4, T5> : IParallelBranches<ParallelResult<T1, T2, T3, T4, T5>>
{
    internal ParallelBuilder(ImmutableArray<ParallelBranchSpec> branches) => Branches = branches;

    ImmutableArray<ParallelBranchSpec> IParallelBranches<ParallelResult<T1, T2, T3, T4, T5>>.Branches => Branches;

    internal ImmutableArray<ParallelBranchSpec> Branches { get; }

    ParallelResult<T1, T2, T3, T4, T5> IParallelBranches<ParallelResult<T1, T2, T3, T4, T5>>.Create(BatchResult<object?> batch) => new(batch);

    /// <summary>Adds a named branch (its ParallelBranch context carries the name).</summary>
    /// <typeparam name="T6">The branch result type.</typeparam>
    /// <param name="name">The branch name.</param>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1, T2, T3, T4, T5, T6> Branch<T6>(string name, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T6>> body, ISerDes<T6>? serDes = null)
        => new(Branches.Add(ParallelBranches.Spec(name, body, serDes)));

    /// <summary>Adds an unnamed branch (default name <c>parallel-branch-{index}</c>).</summary>
    /// <typeparam name="T6">The branch result type.</typeparam>
    /// <param name="body">Builds the branch chain from the current value.</param>
    /// <param name="serDes">Optional serializer for this branch's result.</param>
    /// <returns>A builder with one more branch.</returns>
    public ParallelBuilder<TIn, TCur, T1, T2, T3, T4, T5, T6> Branch<T6>(Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T6>> body, ISerDes<T6>? serDes = null)
        => new(Branches.Add(ParallelBranches.Spec(null, body, serDes)));

}

/// <summary>A parallel declaration with 6 branches; add more with <c>Branch</c> (up to six).</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The value every branch starts from.</typeparam>
/// <typeparam name="T1">The first branch's result type.</typeparam>
/// <typeparam name="T2">The second branch's result type.</typeparam>
/// <typeparam name="T3">The third branch's result type.</typeparam>
/// <typeparam name="T4">The fourth branch's result type.</typeparam>
/// <typeparam name="T5">The fifth branch's result type.</typeparam>
/// <typeparam name="T6">The sixth branch's result type.</typeparam>
public sealed class ParallelBuilder<TIn, TCur, T1, T2, T3, T4, T5, T6> : IParallelBranches<ParallelResult<T1, T2, T3, T4, T5, T6>>
{
    internal ParallelBuilder(ImmutableArray<ParallelBranchSpec> branches) => Branches = branches;

    ImmutableArray<ParallelBranchSpec> IParallelBranches<ParallelResult<T1, T2, T3, T4, T5, T6>>.Branches => Branches;

    internal ImmutableArray<ParallelBranchSpec> Branches { get; }

    ParallelResult<T1, T2, T3, T4, T5, T6> IParallelBranches<ParallelResult<T1, T2, T3, T4, T5, T6>>.Create(BatchResult<object?> batch) => new(batch);
}

internal static class ParallelBranches
{
    public static ParallelBranchSpec Spec<TIn, TCur, T>(string? name, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, T>> body, ISerDes<T>? serDes)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (name is not null)
        {
            NameRules.Validate(name, "A parallel branch name");
        }

        var chain = body(new WorkflowBuilder<TIn, TCur>(Chain.Empty)).Chain;
        return new ParallelBranchSpec(chain, name, serDes is null ? CodecSpec.JsonOf<T>() : CodecSpec.Custom(serDes));
    }
}
