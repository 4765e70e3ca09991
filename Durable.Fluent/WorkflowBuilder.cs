using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using Durable.Fluent.Definition;
using Durable.Fluent.Serialization;

namespace Durable.Fluent;

/// <summary>Entry points of the fluent API.</summary>
public static class Workflow
{
    /// <summary>Starts a workflow whose input is <typeparamref name="TIn"/>; the current value is the input.</summary>
    /// <typeparam name="TIn">The workflow input type.</typeparam>
    /// <returns>An empty builder.</returns>
    public static WorkflowBuilder<TIn, TIn> For<TIn>() => new(Chain.Empty);

    /// <summary>Starts a workflow with a step.</summary>
    /// <typeparam name="TIn">The workflow input type.</typeparam>
    /// <typeparam name="TOut">The step's result type.</typeparam>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body; receives the input.</param>
    /// <param name="configure">Optional step configuration.</param>
    /// <returns>The builder.</returns>
    public static WorkflowBuilder<TIn, TOut> Step<TIn, TOut>(OperationName name, Func<TIn, StepContext<TIn>, TOut> body, Action<StepConfigurator<TOut>>? configure = null)
        => For<TIn>().Then(name, body, configure);

    /// <summary>Starts a workflow with an asynchronous step.</summary>
    /// <typeparam name="TIn">The workflow input type.</typeparam>
    /// <typeparam name="TOut">The step's result type.</typeparam>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body; receives the input.</param>
    /// <param name="configure">Optional step configuration.</param>
    /// <returns>The builder.</returns>
    public static WorkflowBuilder<TIn, TOut> Step<TIn, TOut>(OperationName name, Func<TIn, StepContext<TIn>, CancellationToken, Task<TOut>> body, Action<StepConfigurator<TOut>>? configure = null)
        => For<TIn>().Then(name, body, configure);

    /// <summary>Starts a workflow with an asynchronous step whose body does not take a cancellation token.</summary>
    /// <typeparam name="TIn">The workflow input type.</typeparam>
    /// <typeparam name="TOut">The step's result type.</typeparam>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body; receives the input.</param>
    /// <param name="configure">Optional step configuration.</param>
    /// <returns>The builder.</returns>
    public static WorkflowBuilder<TIn, TOut> Step<TIn, TOut>(OperationName name, Func<TIn, StepContext<TIn>, Task<TOut>> body, Action<StepConfigurator<TOut>>? configure = null)
        => For<TIn>().Then(name, body, configure);

    /// <summary>Starts a workflow with a step that has no result; the input stays the current value.</summary>
    /// <typeparam name="TIn">The workflow input type.</typeparam>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body; receives the input.</param>
    /// <param name="configure">Optional step configuration.</param>
    /// <returns>The builder.</returns>
    public static WorkflowBuilder<TIn, TIn> Step<TIn>(OperationName name, Action<TIn, StepContext<TIn>> body, Action<StepConfigurator>? configure = null)
        => For<TIn>().Then(name, body, configure);

    /// <summary>Starts a workflow with an asynchronous step that has no result; the input stays the current value.</summary>
    /// <typeparam name="TIn">The workflow input type.</typeparam>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body; receives the input and a cancellation token.</param>
    /// <param name="configure">Optional step configuration.</param>
    /// <returns>The builder.</returns>
    public static WorkflowBuilder<TIn, TIn> Step<TIn>(OperationName name, Func<TIn, StepContext<TIn>, CancellationToken, Task> body, Action<StepConfigurator>? configure = null)
        => For<TIn>().Then(name, body, configure);

    /// <summary>Starts a workflow with an asynchronous step that has no result and takes no token; the input stays the current value.</summary>
    /// <typeparam name="TIn">The workflow input type.</typeparam>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body; receives the input.</param>
    /// <param name="configure">Optional step configuration.</param>
    /// <returns>The builder.</returns>
    public static WorkflowBuilder<TIn, TIn> Step<TIn>(OperationName name, Func<TIn, StepContext<TIn>, Task> body, Action<StepConfigurator>? configure = null)
        => For<TIn>().Then(name, body, configure);
}

/// <summary>
/// Records a workflow declaration. Each call returns a new builder (builders are immutable and can be shared);
/// <c>Build(...)</c> validates the graph and returns a reusable <see cref="Workflow{TIn, TOut}"/>.
/// </summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
/// <typeparam name="TCur">The type of the current value (the previous node's output).</typeparam>
public sealed partial class WorkflowBuilder<TIn, TCur>
{
    private const string OneParameterStepMessage =
        "A step body takes (value, ctx): write .Then(\"name\", (value, ctx) => ...), or (value, ctx, ct) => ...Async(value, ct) for asynchronous work. A one-parameter lambda is a Select (no checkpoint), not a step.";

    internal WorkflowBuilder(Chain chain) => Chain = chain;

    internal Chain Chain { get; }

    /// <summary>Adds a step. The body receives the current value; its result becomes the current value.</summary>
    /// <typeparam name="TNext">The step's result type.</typeparam>
    /// <param name="name">The step name (descriptive, verb_noun: <c>"process_payment"</c>).</param>
    /// <param name="body">The step body.</param>
    /// <param name="configure">Optional configuration: semantics, retry strategy, serializer.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Then<TNext>(OperationName name, Func<TCur, StepContext<TIn>, TNext> body, Action<StepConfigurator<TNext>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return AddStep(name, (v, ctx, _) => new ValueTask<object?>(body((TCur)v!, new StepContext<TIn>(ctx))), configure);
    }

    /// <summary>Adds an asynchronous step. The body receives the current value and a cancellation token.</summary>
    /// <typeparam name="TNext">The step's result type.</typeparam>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Then<TNext>(OperationName name, Func<TCur, StepContext<TIn>, CancellationToken, Task<TNext>> body, Action<StepConfigurator<TNext>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return AddStep(name, async (v, ctx, ct) => await body((TCur)v!, new StepContext<TIn>(ctx), ct).ConfigureAwait(false), configure);
    }

    /// <summary>
    /// Adds a step named after the method group passed as <paramref name="body"/> (<c>.Then(ValidateOrder)</c> is named
    /// <c>"ValidateOrder"</c>: the method's name, unchanged). A lambda has no usable name: <c>Build()</c> rejects it.
    /// </summary>
    /// <typeparam name="TNext">The step's result type.</typeparam>
    /// <param name="body">A method group.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Then<TNext>(Func<TCur, StepContext<TIn>, TNext> body, Action<StepConfigurator<TNext>>? configure = null)
        => Then(MethodName(body), body, configure);

    /// <summary>Adds an asynchronous step named after the method group passed as <paramref name="body"/>.</summary>
    /// <typeparam name="TNext">The step's result type.</typeparam>
    /// <param name="body">A method group.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Then<TNext>(Func<TCur, StepContext<TIn>, CancellationToken, Task<TNext>> body, Action<StepConfigurator<TNext>>? configure = null)
        => Then(MethodName(body), body, configure);

    /// <summary>
    /// Adds an asynchronous step whose body takes no cancellation token: <c>.Then("charge", async (o, ctx) =&gt; await ChargeAsync(o))</c>.
    /// The awaited result (not the task) becomes the current value.
    /// </summary>
    /// <typeparam name="TNext">The step's result type.</typeparam>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Then<TNext>(OperationName name, Func<TCur, StepContext<TIn>, Task<TNext>> body, Action<StepConfigurator<TNext>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return AddStep(name, async (v, ctx, _) => await body((TCur)v!, new StepContext<TIn>(ctx)).ConfigureAwait(false), configure);
    }

    /// <summary>Adds an asynchronous step without a token, named after the method group passed as <paramref name="body"/>.</summary>
    /// <typeparam name="TNext">The step's result type.</typeparam>
    /// <param name="body">A method group.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Then<TNext>(Func<TCur, StepContext<TIn>, Task<TNext>> body, Action<StepConfigurator<TNext>>? configure = null)
        => Then(MethodName(body), body, configure);

    /// <summary>
    /// Not a step shape: a step body receives the current value <em>and</em> the step context. This overload exists so that a
    /// one-parameter lambda (<c>o =&gt; ...</c>) is reported with the fix instead of a type-inference error about an unrelated
    /// overload. Write <c>(o, ctx) =&gt; ...</c>, or <c>(o, ctx, ct) =&gt; ...Async(o, ct)</c> for asynchronous work.
    /// </summary>
    /// <typeparam name="TNext">The would-be result type.</typeparam>
    /// <param name="name">The step name.</param>
    /// <param name="body">A one-parameter body (rejected at compile time).</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every call).</exception>
    [Obsolete(OneParameterStepMessage, error: true, DiagnosticId = AuthoringErrors.OneParameterStepId, UrlFormat = AuthoringErrors.OneParameterStepUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public WorkflowBuilder<TIn, TNext> Then<TNext>(OperationName name, Func<TCur, TNext> body, Action<StepConfigurator<TNext>>? configure = null)
        => throw new NotSupportedException(OneParameterStepMessage);

    /// <summary>
    /// Adds a step that has no result (a <c>void</c> body): it is checkpointed like any step (retried, never re-run once it
    /// succeeded), and the current value passes through unchanged: <c>.Then("send_email", (o, ctx) =&gt; Mailer.Send(o))</c>.
    /// </summary>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body.</param>
    /// <param name="configure">Optional configuration: semantics, retry strategy, timeout.</param>
    /// <returns>The builder; the current value passes through.</returns>
    public WorkflowBuilder<TIn, TCur> Then(OperationName name, Action<TCur, StepContext<TIn>> body, Action<StepConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return AddPassThroughStep(name, (v, ctx, _) =>
        {
            body((TCur)v!, new StepContext<TIn>(ctx));
            return new ValueTask<object?>((object?)null);
        }, configure);
    }

    /// <summary>Adds an asynchronous step that has no result (a <see cref="Task"/> body); the current value passes through.</summary>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body; receives the current value, the step context and a cancellation token.</param>
    /// <param name="configure">Optional configuration: semantics, retry strategy, timeout.</param>
    /// <returns>The builder; the current value passes through.</returns>
    public WorkflowBuilder<TIn, TCur> Then(OperationName name, Func<TCur, StepContext<TIn>, CancellationToken, Task> body, Action<StepConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return AddPassThroughStep(name, async (v, ctx, ct) =>
        {
            await body((TCur)v!, new StepContext<TIn>(ctx), ct).ConfigureAwait(false);
            return null;
        }, configure);
    }

    /// <summary>Adds an asynchronous step that has no result and takes no token; the current value passes through.</summary>
    /// <param name="name">The step name.</param>
    /// <param name="body">The step body.</param>
    /// <param name="configure">Optional configuration: semantics, retry strategy, timeout.</param>
    /// <returns>The builder; the current value passes through.</returns>
    public WorkflowBuilder<TIn, TCur> Then(OperationName name, Func<TCur, StepContext<TIn>, Task> body, Action<StepConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return AddPassThroughStep(name, async (v, ctx, _) =>
        {
            await body((TCur)v!, new StepContext<TIn>(ctx)).ConfigureAwait(false);
            return null;
        }, configure);
    }

    /// <summary>Adds a step with no result, named after the method group passed as <paramref name="body"/>; the value passes through.</summary>
    /// <param name="body">A method group.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder; the current value passes through.</returns>
    public WorkflowBuilder<TIn, TCur> Then(Action<TCur, StepContext<TIn>> body, Action<StepConfigurator>? configure = null)
        => Then(MethodName(body), body, configure);

    /// <summary>Adds an asynchronous step with no result, named after the method group passed as <paramref name="body"/>.</summary>
    /// <param name="body">A method group.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder; the current value passes through.</returns>
    public WorkflowBuilder<TIn, TCur> Then(Func<TCur, StepContext<TIn>, CancellationToken, Task> body, Action<StepConfigurator>? configure = null)
        => Then(MethodName(body), body, configure);

    /// <summary>Adds an asynchronous step with no result and no token, named after the method group passed as <paramref name="body"/>.</summary>
    /// <param name="body">A method group.</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>The builder; the current value passes through.</returns>
    public WorkflowBuilder<TIn, TCur> Then(Func<TCur, StepContext<TIn>, Task> body, Action<StepConfigurator>? configure = null)
        => Then(MethodName(body), body, configure);

    /// <summary>Adds a durable wait: the execution suspends (no compute is billed) and resumes after <paramref name="duration"/>.</summary>
    /// <param name="name">The wait name (descriptive: <c>"payment_confirmation_wait"</c>).</param>
    /// <param name="duration">Whole seconds, from 1 s to 31,622,400 s (366 days).</param>
    /// <returns>The builder; the current value passes through unchanged.</returns>
    public WorkflowBuilder<TIn, TCur> Wait(OperationName name, TimeSpan duration)
        => new(Chain.Append(new WaitNode(duration) { Name = name }));

    /// <summary>Adds an unnamed durable wait.</summary>
    /// <param name="duration">Whole seconds, from 1 s to 31,622,400 s.</param>
    /// <returns>The builder; the current value passes through unchanged.</returns>
    public WorkflowBuilder<TIn, TCur> Wait(TimeSpan duration)
        => new(Chain.Append(new WaitNode(duration)));

    /// <summary>
    /// Transforms the current value without checkpointing. The function runs on every replay, so it must be deterministic:
    /// it may only use its arguments (which are checkpointed values). Wrap anything else (clock, random, I/O) in a step.
    /// </summary>
    /// <typeparam name="TNext">The new value type.</typeparam>
    /// <param name="map">The transformation.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Select<TNext>(Func<TCur, WorkflowContext<TIn>, TNext> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new(Chain.Append(new SelectNode((v, ctx) => map((TCur)v!, new WorkflowContext<TIn>(ctx, () => ctx.IsReplaying))) { ResultType = typeof(TNext) }));
    }

    /// <summary>Transforms the current value without checkpointing (see <see cref="Select{TNext}(Func{TCur, WorkflowContext{TIn}, TNext})"/>).</summary>
    /// <typeparam name="TNext">The new value type.</typeparam>
    /// <param name="map">The transformation.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TNext> Select<TNext>(Func<TCur, TNext> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new(Chain.Append(new SelectNode((v, _) => map((TCur)v!)) { ResultType = typeof(TNext) }));
    }

    /// <summary>
    /// Runs orchestration-level code (typically logging through the replay-aware <see cref="WorkflowContext.Logger"/>) and keeps
    /// the current value. It runs on every replay; it must not have side effects other than replay-aware logging.
    /// </summary>
    /// <param name="action">The action.</param>
    /// <returns>The builder.</returns>
    public WorkflowBuilder<TIn, TCur> Do(Action<TCur, WorkflowContext<TIn>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new(Chain.Append(new SelectNode((v, ctx) =>
        {
            action((TCur)v!, new WorkflowContext<TIn>(ctx, () => ctx.IsReplaying));
            return v;
        })));
    }

    /// <summary>
    /// Validates the graph and freezes it into a reusable workflow whose payloads use reflection-based System.Text.Json
    /// (<see cref="DurableJson.DefaultOptions"/>, unless <paramref name="options"/> sets <see cref="WorkflowOptions.JsonOptions"/>).
    /// Under trimming or Native AOT, call <see cref="Build(IJsonTypeInfoResolver, WorkflowOptions?)"/> with a source-generated
    /// context instead.
    /// </summary>
    /// <param name="options">Workflow-wide options (serializer options, default retry strategy, plugins).</param>
    /// <returns>The workflow.</returns>
    /// <exception cref="WorkflowDefinitionException">The graph or an option is invalid; the message names the node or option and the fix.</exception>
    [RequiresUnreferencedCode(BuildReflectionMessage)]
    [RequiresDynamicCode(BuildReflectionMessage)]
    public Workflow<TIn, TCur> Build(WorkflowOptions? options = null)
    {
        options ??= WorkflowOptions.Default;
        return Freeze(options.JsonOptions is null ? options with { JsonOptions = DurableJson.DefaultOptions } : options);
    }

    /// <summary>
    /// Validates the graph and freezes it into a reusable workflow whose payloads are (de)serialized with the
    /// source-generated metadata of <paramref name="json"/> — no reflection, safe under trimming and Native AOT. Every payload
    /// type without a custom serializer (the input, the result, step, child, callback, invoke and batch results, polled
    /// states) must be listed in the context; one that is not fails here with a <see cref="MissingJsonTypeInfoException"/>
    /// naming it.
    /// </summary>
    /// <example>
    /// <code>
    /// [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, IncludeFields = true)]
    /// [JsonSerializable(typeof(Order))]
    /// [JsonSerializable(typeof(Receipt))]
    /// internal sealed partial class AppJson : JsonSerializerContext;
    ///
    /// public static readonly Workflow&lt;Order, Receipt&gt; Definition = Workflow.For&lt;Order&gt;()...Build(AppJson.Default);
    /// </code>
    /// </example>
    /// <param name="json">The metadata source: a <see cref="System.Text.Json.Serialization.JsonSerializerContext"/> (or any resolver).</param>
    /// <param name="options">
    /// Workflow-wide options. When they set <see cref="WorkflowOptions.JsonOptions"/>, its settings are kept and
    /// <paramref name="json"/> becomes its metadata source; otherwise the settings are those of <see cref="DurableJson.CreateOptions"/>.
    /// </param>
    /// <returns>The workflow.</returns>
    /// <exception cref="WorkflowDefinitionException">The graph or an option is invalid; the message names the node or option and the fix.</exception>
    /// <exception cref="MissingJsonTypeInfoException">A payload type is not in the context; the message names it and the node.</exception>
    public Workflow<TIn, TCur> Build(IJsonTypeInfoResolver json, WorkflowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        options ??= WorkflowOptions.Default;
        var jsonOptions = options.JsonOptions is { } custom ? DurableJson.WithResolver(custom, json) : DurableJson.OptionsFor(json);
        var workflow = Freeze(options with { JsonOptions = jsonOptions });
        PayloadTypeRules.Validate(Chain, typeof(TIn), typeof(TCur), jsonOptions);
        return workflow;
    }

    private const string BuildReflectionMessage =
        "Build() serializes payloads with reflection-based System.Text.Json, which trimming and Native AOT remove. " +
        "List the workflow's payload types in a source-generated context ([JsonSerializable(typeof(Order))] partial class AppJson : JsonSerializerContext) " +
        "and call Build(AppJson.Default) (or Build(AppJson.Default, options)) instead.";

    private Workflow<TIn, TCur> Freeze(WorkflowOptions options)
    {
        DefinitionValidator.Validate(Chain, "workflow");
        DefinitionValidator.ValidateResultType(typeof(TCur), "The workflow's result");
        SagaRules.Validate(Chain);
        if (options.PipelineWindow < 1)
        {
            throw new WorkflowDefinitionException($"WorkflowOptions.PipelineWindow is {options.PipelineWindow}; it must be at least 1 (the most step results passed on before their checkpoint is acknowledged).");
        }

        return new Workflow<TIn, TCur>(Chain, options);
    }

    private WorkflowBuilder<TIn, TNext> AddStep<TNext>(OperationName name, StepBody body, Action<StepConfigurator<TNext>>? configure)
    {
        var cfg = new StepConfigurator<TNext>();
        configure?.Invoke(cfg);
        return new(Chain.Append(StepNode.From(body, cfg.Codec, cfg, typeof(TNext)) with { Name = name }));
    }

    private WorkflowBuilder<TIn, TCur> AddPassThroughStep(OperationName name, StepBody body, Action<StepConfigurator>? configure)
    {
        var cfg = new StepConfigurator();
        configure?.Invoke(cfg);
        return new(Chain.Append(StepNode.From(body, CodecSpec.JsonOf<object?>(), cfg, null) with { Name = name, PassesValueThrough = true }));
    }

    private static OperationName MethodName(Delegate body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var name = body.Method.Name;
        return name.Contains('<', StringComparison.Ordinal) ? DefinitionValidator.Unnamed : name;
    }
}
