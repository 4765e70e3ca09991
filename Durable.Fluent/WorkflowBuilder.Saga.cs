using Durable.Fluent.Definition;

namespace Durable.Fluent;

public sealed partial class WorkflowBuilder<TIn, TCur>
{
    /// <summary>
    /// Runs <paramref name="body"/> as a saga: steps inside it declare their undo with <c>CompensateWith</c>. When the body
    /// fails, the undos of the steps that completed run in reverse order, each as a durable step (checkpointed, retried,
    /// replayed), and then the error is rethrown — or, with <paramref name="onCompensated"/>, turned into a result.
    /// </summary>
    /// <example>
    /// <code>
    /// .Saga(s =&gt; s
    ///     .Then("reserve_stock", Reserve).CompensateWith("release_stock", (reservation, ctx) =&gt; Stock.Release(reservation))
    ///     .Then("charge_card", Charge).CompensateWith("refund_card", (payment, ctx) =&gt; Payments.Refund(payment))
    ///     .Then("book_courier", Book),
    ///   onCompensated: (error, order) =&gt; Receipt.Cancelled(order, error.Message))
    /// </code>
    /// </example>
    /// <typeparam name="TNext">The result type of the body.</typeparam>
    /// <param name="body">The protected sub-chain (same context; the saga itself records no operation).</param>
    /// <param name="onCompensated">Optional: the result after compensating, instead of rethrowing the error.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Saga<TNext>(Func<WorkflowBuilder<TIn, TCur>, WorkflowBuilder<TIn, TNext>> body, Func<Exception, TCur, TNext>? onCompensated = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var inner = body(new WorkflowBuilder<TIn, TCur>(Chain.Empty)).Chain;
        return new(Chain.Append(new SagaNode(inner, onCompensated is null ? null : (ex, v, _) => onCompensated(ex, (TCur)v!))));
    }

    /// <summary>
    /// Declares the undo of the step just before (it receives that step's result). It runs only if the enclosing
    /// <see cref="Saga{TNext}"/> fails later, as a durable step named <paramref name="name"/>; the current value passes through.
    /// </summary>
    /// <param name="name">The compensation step's name (for example <c>"refund_card"</c>).</param>
    /// <param name="undo">Undoes the step.</param>
    /// <param name="configure">Optional: semantics and retry strategy of the compensation step (default: the workflow's default retries).</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TCur> CompensateWith(OperationName name, Action<TCur, StepContext<TIn>> undo, Action<StepConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(undo);
        return AddCompensation(name, (v, ctx, _) =>
        {
            undo((TCur)v!, new StepContext<TIn>(ctx));
            return new ValueTask<object?>(true);
        }, configure);
    }

    /// <summary>Declares an asynchronous undo of the step just before (see the synchronous overload).</summary>
    /// <param name="name">The compensation step's name.</param>
    /// <param name="undo">Undoes the step.</param>
    /// <param name="configure">Optional: semantics and retry strategy of the compensation step.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TCur> CompensateWith(OperationName name, Func<TCur, StepContext<TIn>, CancellationToken, Task> undo, Action<StepConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(undo);
        return AddCompensation(name, async (v, ctx, ct) =>
        {
            await undo((TCur)v!, new StepContext<TIn>(ctx), ct).ConfigureAwait(false);
            return true;
        }, configure);
    }

    /// <summary>Declares an asynchronous undo whose body takes no cancellation token (see the synchronous overload).</summary>
    /// <param name="name">The compensation step's name.</param>
    /// <param name="undo">Undoes the step.</param>
    /// <param name="configure">Optional: semantics and retry strategy of the compensation step.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TCur> CompensateWith(OperationName name, Func<TCur, StepContext<TIn>, Task> undo, Action<StepConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(undo);
        return CompensateWith(name, (v, ctx, _) => undo(v, ctx), configure);
    }

    private WorkflowBuilder<TIn, TCur> AddCompensation(OperationName name, StepBody body, Action<StepConfigurator>? configure)
    {
        var cfg = new StepConfigurator();
        configure?.Invoke(cfg);
        var step = StepNode.From(body, CodecSpec.JsonOf<bool>(), cfg, typeof(bool)) with { Name = name };
        return new(Chain.Append(new CompensationNode(step) { Name = name }));
    }
}
