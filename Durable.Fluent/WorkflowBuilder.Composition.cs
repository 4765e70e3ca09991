using System.Collections.Immutable;
using Durable.Fluent.Definition;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent;

public sealed partial class WorkflowBuilder<TIn, TCur>
{
    /// <summary>
    /// Runs a reusable workflow as a named child context: its operations get ids under the context, its result is
    /// checkpointed as the context's result, and a finished child is not re-run on replay. The child's <c>Input</c> is the
    /// current value.
    /// </summary>
    /// <typeparam name="TNext">The child workflow's result type.</typeparam>
    /// <param name="name">The context name (for example <c>"validation_phase"</c>).</param>
    /// <param name="child">A built workflow whose input is the current value.</param>
    /// <param name="configure">Optional: a custom serializer for the context result.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Then<TNext>(OperationName name, Workflow<TCur, TNext> child, Action<ChildConfigurator<TNext>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(child);
        var cfg = new ChildConfigurator<TNext>();
        configure?.Invoke(cfg);
        return new(Chain.Append(new ChildNode(child.Chain, cfg.Codec, OperationSubTypes.RunInChildContext) { Name = name }));
    }

    /// <summary>
    /// Runs an inline sub-chain as a named child context. Inside, <c>ctx.Input</c> is still the workflow input and the
    /// first node receives the current value.
    /// </summary>
    /// <typeparam name="TNext">The sub-chain's result type.</typeparam>
    /// <param name="name">The context name.</param>
    /// <param name="body">Builds the sub-chain from an empty builder whose current value is this builder's.</param>
    /// <param name="configure">Optional: a custom serializer for the context result.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Child<TNext>(OperationName name, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> body, Action<ChildConfigurator<TNext>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var cfg = new ChildConfigurator<TNext>();
        configure?.Invoke(cfg);
        var inner = body(new WorkflowBuilder<TIn, TCur>(Definition.Chain.Empty)).Chain;
        return new(Chain.Append(new ChildNode(inner, cfg.Codec, OperationSubTypes.RunInChildContext) { Name = name, KeepsWorkflowInput = true }));
    }

    /// <summary>
    /// Runs <paramref name="body"/> and handles its errors with typed handlers — the seed's "handle errors explicitly" in
    /// graph form. Catch <see cref="StepFailedException"/>, <see cref="ChildContextFailedException"/> or any durable
    /// operation error; they are rebuilt identically on replay, so the same handler runs every time.
    /// </summary>
    /// <typeparam name="TNext">The result type of the body and of every handler.</typeparam>
    /// <param name="body">The protected sub-chain (it runs in the same context; no operation is added for the try itself).</param>
    /// <param name="handlers">The handlers, tried in order.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Try<TNext>(Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> body, Action<CatchBuilder<TIn, TCur, TNext>> handlers)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(handlers);
        var inner = body(new WorkflowBuilder<TIn, TCur>(Definition.Chain.Empty)).Chain;
        var c = new CatchBuilder<TIn, TCur, TNext>();
        handlers(c);
        if (c.Clauses.Count == 0)
        {
            throw new WorkflowDefinitionException("Try(...) needs at least one Catch<TException>(...) handler.");
        }

        return new(Chain.Append(new TryNode(inner, c.Clauses.ToImmutableArray())));
    }
}

/// <summary>Configures a child context.</summary>
/// <typeparam name="TResult">The context's result type.</typeparam>
public sealed class ChildConfigurator<TResult>
{
    internal ISerDes<TResult>? SerDes { get; private set; }

    internal CodecSpec Codec => SerDes is null ? CodecSpec.JsonOf<TResult>() : CodecSpec.Custom(SerDes);

    /// <summary>Uses a custom serializer for the context result, on the first run and on replay.</summary>
    /// <param name="serDes">The serializer.</param>
    /// <returns>This configurator.</returns>
    public ChildConfigurator<TResult> SerializeWith(ISerDes<TResult> serDes)
    {
        ArgumentNullException.ThrowIfNull(serDes);
        SerDes = serDes;
        return this;
    }
}

/// <summary>What a recovery chain receives: the caught error and the value the protected chain started with.</summary>
/// <typeparam name="TException">The caught exception type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Error">The caught error.</param>
/// <param name="Value">The value the protected chain received.</param>
public sealed record Caught<TException, TValue>(TException Error, TValue Value)
    where TException : Exception;

/// <summary>Declares the typed handlers of a <c>Try</c>.</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The value the protected chain received.</typeparam>
/// <typeparam name="TNext">The result type.</typeparam>
public sealed class CatchBuilder<TIn, TCur, TNext>
{
    internal List<CatchClause> Clauses { get; } = new();

    /// <summary>Handles <typeparamref name="TException"/> with a pure function (no checkpoint).</summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <param name="handler">Computes the result from the error and the value the protected chain received.</param>
    /// <returns>This builder.</returns>
    public CatchBuilder<TIn, TCur, TNext> Catch<TException>(Func<TException, TCur, TNext> handler)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(handler);
        Clauses.Add(new CatchClause(typeof(TException), (ex, v, _) => handler((TException)ex, (TCur)v!), null, null));
        return this;
    }

    /// <summary>Handles <typeparamref name="TException"/> with a recovery sub-chain (which may contain steps and waits).</summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <param name="recovery">Builds the recovery chain; its first node receives a <see cref="Caught{TException, TValue}"/>.</param>
    /// <returns>This builder.</returns>
    public CatchBuilder<TIn, TCur, TNext> Catch<TException>(Func<WorkflowBuilder<TIn, Caught<TException, TCur>>, WorkflowBuilder<TIn, TNext>> recovery)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(recovery);
        var chain = recovery(new WorkflowBuilder<TIn, Caught<TException, TCur>>(Chain.Empty)).Chain;
        Clauses.Add(new CatchClause(typeof(TException), null, (ex, v) => new Caught<TException, TCur>((TException)ex, (TCur)v!), chain));
        return this;
    }
}
