using System.Collections.Immutable;
using Durable.Fluent.Definition;

namespace Durable.Fluent;

public sealed partial class WorkflowBuilder<TIn, TCur>
{
    /// <summary>
    /// Runs <paramref name="then"/> or <paramref name="else"/> depending on the current value. No operation is recorded for the
    /// choice; the arms run in the current context. The predicate must be deterministic (it sees only the current value, a
    /// checkpointed value), so every replay takes the same arm.
    /// </summary>
    /// <typeparam name="TNext">The result type of both arms.</typeparam>
    /// <param name="predicate">Chooses the arm.</param>
    /// <param name="then">The arm taken when the predicate is true.</param>
    /// <param name="else">The arm taken otherwise.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> If<TNext>(Func<TCur, bool> predicate, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> then, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> @else)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return AddIf((v, _) => predicate((TCur)v!), then, @else);
    }

    /// <summary>Runs one of two arms; the predicate also sees the workflow context (<c>ctx.Input</c>).</summary>
    /// <typeparam name="TNext">The result type of both arms.</typeparam>
    /// <param name="predicate">Chooses the arm from the current value and the workflow context.</param>
    /// <param name="then">The arm taken when the predicate is true.</param>
    /// <param name="else">The arm taken otherwise.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> If<TNext>(Func<TCur, WorkflowContext<TIn>, bool> predicate, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> then, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> @else)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return AddIf((v, ctx) => predicate((TCur)v!, new WorkflowContext<TIn>(ctx, () => ctx.IsReplaying)), then, @else);
    }

    /// <summary>Runs <paramref name="then"/> only when the predicate holds; otherwise the current value passes through.</summary>
    /// <param name="predicate">Chooses whether to run the arm.</param>
    /// <param name="then">The arm; it keeps the value type.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TCur> If(Func<TCur, bool> predicate, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TCur>> then)
        => If(predicate, then, static b => b);

    /// <summary>
    /// Runs the arm whose key equals <paramref name="selector"/>'s result, or the default arm:
    /// <c>.Switch(o =&gt; o.Tier, s =&gt; s.Case("gold", b =&gt; ...).Case("silver", b =&gt; ...).Default(b =&gt; ...))</c>.
    /// No operation is recorded for the choice; the selector must be deterministic, so replay takes the same arm. Without a
    /// default arm, a value no case matches raises <see cref="DurableExecutionException"/>.
    /// </summary>
    /// <typeparam name="TKey">The key type (compared with <see cref="object.Equals(object, object)"/>).</typeparam>
    /// <typeparam name="TNext">The result type of every arm (inferred from the first case).</typeparam>
    /// <param name="selector">Selects the key from the current value.</param>
    /// <param name="cases">Declares the arms.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Switch<TKey, TNext>(Func<TCur, TKey> selector, Func<SwitchBuilder<TIn, TCur, TKey>, ISwitchArms<TNext>> cases)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(cases);
        var arms = cases(new SwitchBuilder<TIn, TCur, TKey>());
        if (arms.Cases.IsEmpty)
        {
            throw new WorkflowDefinitionException("Switch(...) needs at least one Case(...).");
        }

        return new(Chain.Append(new SwitchNode((v, _) => selector((TCur)v!), arms.Cases, arms.Default)));
    }

    private WorkflowBuilder<TIn, TNext> AddIf<TNext>(Func<object?, WorkflowContext, bool> predicate, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> then, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> @else)
    {
        ArgumentNullException.ThrowIfNull(then);
        ArgumentNullException.ThrowIfNull(@else);
        var thenChain = then(new WorkflowBuilder<TIn, TCur>(Definition.Chain.Empty)).Chain;
        var elseChain = @else(new WorkflowBuilder<TIn, TCur>(Definition.Chain.Empty)).Chain;
        return new(Chain.Append(new IfNode(predicate, thenChain, elseChain)));
    }
}

/// <summary>The declared arms of a <c>Switch</c>, producing <typeparamref name="TNext"/>.</summary>
/// <typeparam name="TNext">The arms' result type.</typeparam>
public interface ISwitchArms<out TNext>
{
    internal ImmutableArray<SwitchCase> Cases { get; }

    internal Chain? Default { get; }
}

/// <summary>Starts declaring the arms of a <c>Switch</c>; the first <c>Case</c> fixes the result type.</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The value each arm starts from.</typeparam>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed class SwitchBuilder<TIn, TCur, TKey>
{
    internal SwitchBuilder()
    {
    }

    /// <summary>Declares the arm taken when the key equals <paramref name="key"/>.</summary>
    /// <typeparam name="TNext">The arms' result type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="arm">Builds the arm from the current value.</param>
    /// <returns>The arms so far.</returns>
    public SwitchArms<TIn, TCur, TKey, TNext> Case<TNext>(TKey key, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> arm)
        => new SwitchArms<TIn, TCur, TKey, TNext>(ImmutableArray<SwitchCase>.Empty, null).Case(key, arm);
}

/// <summary>The arms of a <c>Switch</c> declared so far.</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The value each arm starts from.</typeparam>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TNext">The arms' result type.</typeparam>
public sealed class SwitchArms<TIn, TCur, TKey, TNext> : ISwitchArms<TNext>
{
    private readonly ImmutableArray<SwitchCase> _cases;
    private readonly Chain? _default;

    internal SwitchArms(ImmutableArray<SwitchCase> cases, Chain? @default)
    {
        _cases = cases;
        _default = @default;
    }

    ImmutableArray<SwitchCase> ISwitchArms<TNext>.Cases => _cases;

    Chain? ISwitchArms<TNext>.Default => _default;

    /// <summary>Declares another arm.</summary>
    /// <param name="key">The key.</param>
    /// <param name="arm">Builds the arm from the current value.</param>
    /// <returns>The arms so far.</returns>
    public SwitchArms<TIn, TCur, TKey, TNext> Case(TKey key, Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> arm)
    {
        ArgumentNullException.ThrowIfNull(arm);
        if (_cases.Any(c => Equals(c.Key, key)))
        {
            throw new WorkflowDefinitionException($"Switch: the case '{key}' is declared twice.");
        }

        return new(_cases.Add(new SwitchCase(key, arm(new WorkflowBuilder<TIn, TCur>(Chain.Empty)).Chain)), _default);
    }

    /// <summary>Declares the arm taken when no case matches.</summary>
    /// <param name="arm">Builds the arm from the current value.</param>
    /// <returns>The arms.</returns>
    public SwitchArms<TIn, TCur, TKey, TNext> Default(Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> arm)
    {
        ArgumentNullException.ThrowIfNull(arm);
        return new(_cases, arm(new WorkflowBuilder<TIn, TCur>(Chain.Empty)).Chain);
    }
}
