using Microsoft.Extensions.Logging;

namespace Durable.Fluent;

/// <summary>What a step body sees while it runs: its identity, its attempt number, a logger and the workflow input.</summary>
public class StepContext
{
    internal StepContext(object? input, string operationId, string? operationName, int attempt, ILogger logger, string executionArn, CancellationToken cancellationToken)
    {
        InputObject = input;
        OperationId = operationId;
        OperationName = operationName;
        Attempt = attempt;
        Logger = logger;
        DurableExecutionArn = executionArn;
        CancellationToken = cancellationToken;
    }

    /// <summary>The step's operation id.</summary>
    public string OperationId { get; }

    /// <summary>The step's name.</summary>
    public string? OperationName { get; }

    /// <summary>The attempt being run, starting at 1.</summary>
    public int Attempt { get; }

    /// <summary>
    /// A logger for the step body. Step bodies run only when the step has no recorded result, so lines are not repeated on
    /// replay. Each line carries the execution ARN, operation id, name and attempt as scope values.
    /// </summary>
    public ILogger Logger { get; }

    /// <summary>The execution ARN.</summary>
    public string DurableExecutionArn { get; }

    /// <summary>Signalled when the invocation is being cancelled.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// The services of this invocation: a scope created from <see cref="DurableRunOptions.Services"/> (or
    /// <c>DurableTestRunnerOptions.Services</c> in tests) for the invocation and disposed when it ends. Resolve dependencies
    /// here (<c>ctx.Services.GetRequiredService&lt;IPayments&gt;()</c>) so definitions stay static and tests substitute them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The host supplied no service provider.</exception>
    public IServiceProvider Services => Frame?.Run.Services ?? throw new InvalidOperationException(
        $"Step '{OperationName}' asked for services, but this invocation has none: pass an IServiceProvider as DurableRunOptions.Services "
        + "(in the Lambda handler) or DurableTestRunnerOptions.Services (in tests).");

    /// <summary>The current Lambda invocation: request id and remaining time, when the host provides them.</summary>
    public InvocationInfo Invocation => Frame?.Run.Invocation ?? NoInvocation;

    private static readonly InvocationInfo NoInvocation = new(null, null, TimeProvider.System);

    internal object? InputObject { get; }

    internal Interpretation.Frame? Frame { get; init; }

    /// <summary>
    /// The id of a callback created earlier (<c>.CreateCallback(handle)</c>) in this context or an enclosing one: give it to
    /// the outside system that will complete the callback.
    /// </summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <param name="callback">The handle.</param>
    /// <returns>The callback id.</returns>
    /// <exception cref="InvalidOperationException">The callback has not been created in this context or an enclosing one.</exception>
    public string CallbackId<T>(CallbackHandle<T> callback) => Interpretation.CallbackExecutor.IdOf(Frame, callback);
}

/// <summary>A <see cref="StepContext"/> with the typed workflow input.</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
public sealed class StepContext<TIn> : StepContext
{
    internal StepContext(StepContext inner)
        : base(inner.InputObject, inner.OperationId, inner.OperationName, inner.Attempt, inner.Logger, inner.DurableExecutionArn, inner.CancellationToken)
    {
        Frame = inner.Frame;
    }

    /// <summary>The workflow input (for a workflow run as a child, that workflow's input).</summary>
    public TIn Input => (TIn)InputObject!;
}

/// <summary>What orchestration code outside steps (selectors, predicates, taps, computed names) sees.</summary>
public class WorkflowContext
{
    internal WorkflowContext(object? input, ILogger logger, string executionArn, Func<bool> isReplaying)
    {
        InputObject = input;
        Logger = logger;
        DurableExecutionArn = executionArn;
        _isReplaying = isReplaying;
    }

    private readonly Func<bool> _isReplaying;

    /// <summary>
    /// The context logger, replay-aware: lines written while the interpreter is replaying recorded operations are dropped by
    /// default (see <see cref="DurableRunOptions.ReplayLogMode"/> to keep the lines of re-executed contexts, or all lines).
    /// Every line carries the execution ARN and, inside a child context, the context's operation id (<c>parentId</c>).
    /// </summary>
    public ILogger Logger { get; }

    /// <summary>The execution ARN.</summary>
    public string DurableExecutionArn { get; }

    /// <summary>Whether the interpreter is replaying operations recorded by earlier invocations.</summary>
    public bool IsReplaying => _isReplaying();

    internal object? InputObject { get; }

    internal Interpretation.Frame? Frame { get; init; }

    /// <summary>The id of a callback created earlier in this context or an enclosing one.</summary>
    /// <typeparam name="T">The callback's result type.</typeparam>
    /// <param name="callback">The handle.</param>
    /// <returns>The callback id.</returns>
    /// <exception cref="InvalidOperationException">The callback has not been created in this context or an enclosing one.</exception>
    public string CallbackId<T>(CallbackHandle<T> callback) => Interpretation.CallbackExecutor.IdOf(Frame, callback);
}

/// <summary>A <see cref="WorkflowContext"/> with the typed workflow input.</summary>
/// <typeparam name="TIn">The workflow input type.</typeparam>
public sealed class WorkflowContext<TIn> : WorkflowContext
{
    internal WorkflowContext(WorkflowContext inner, Func<bool> isReplaying)
        : base(inner.InputObject, inner.Logger, inner.DurableExecutionArn, isReplaying)
    {
        Frame = inner.Frame;
    }

    /// <summary>The workflow input.</summary>
    public TIn Input => (TIn)InputObject!;
}
