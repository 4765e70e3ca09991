using System.ComponentModel;
using System.Text.Json;
using Durable.Fluent.Serialization;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Testing;

/// <summary>
/// Runs workflows in-process to completion over repeated invocations, on a virtual clock, against the local durable engine:
/// waits, retry delays and callback timeouts take no real time; the history is recorded exactly as the service records it.
/// </summary>
/// <example>
/// <code>
/// var runner = new DurableTestRunner();
/// var execution = await runner.RunAsync(OrderWorkflow.Definition, new OrderRequest("o-1", 42m));
/// Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
/// Assert.That(execution.GetOperation("process_payment").Status, Is.EqualTo(OperationStatus.Succeeded));
/// </code>
/// </example>
public sealed partial class DurableTestRunner : IDisposable
{
    private readonly DurableTestRunnerOptions _options;
    private readonly InMemoryCheckpointStore _store;
    private readonly ILoggerFactory _loggerFactory;
    private readonly List<ScheduledTrigger> _triggers = new();
    private long _triggerSeq;
    private long _requestCounter;

    /// <summary>Creates a runner with its own clock and engine.</summary>
    /// <param name="options">Options.</param>
    public DurableTestRunner(DurableTestRunnerOptions? options = null)
    {
        _options = options ?? new DurableTestRunnerOptions();
        Clock = new VirtualClock();
        Engine = new LocalDurableEngine(Clock);
        _store = new InMemoryCheckpointStore(Engine);
        Logs = new CapturingLoggerProvider();
        _loggerFactory = new FanOutLoggerFactory([Logs, .. _options.LoggerProviders], _options.MinimumLogLevel);
        InitWaiting(_options);
    }

    /// <summary>The virtual clock.</summary>
    public VirtualClock Clock { get; }

    /// <summary>The local engine that plays the durable execution service.</summary>
    internal LocalDurableEngine Engine { get; }

    /// <summary>Every log line written by step and workflow loggers, across all executions of this runner.</summary>
    public CapturingLoggerProvider Logs { get; }

    /// <summary>Checkpoint requests served so far (a cost figure: requests per step).</summary>
    public int CheckpointRequests => _store.CheckpointRequests;

    /// <summary>
    /// Starts an execution and drives it until it ends, or until it can only go on with outside help (an open callback with
    /// nothing scheduled to answer it): then the returned execution's status is RUNNING and <see cref="TestExecution{TOut}.ResumeAsync"/> continues it.
    /// </summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="workflow">The workflow.</param>
    /// <param name="input">The input.</param>
    /// <param name="executionName">Optional execution name.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The execution.</returns>
    public async Task<TestExecution<TOut>> RunAsync<TIn, TOut>(Workflow<TIn, TOut> workflow, TIn input, string? executionName = null, CancellationToken cancellationToken = default)
    {
        var execution = Start(workflow, JsonSerializer.Serialize(input, DurableJson.TypeInfo<TIn>(workflow.Json, "the workflow input")), executionName);
        await execution.ResumeAsync(cancellationToken).ConfigureAwait(false);
        return execution;
    }

    /// <summary>Starts an execution from raw input JSON and drives it like <see cref="RunAsync{TIn, TOut}(Workflow{TIn, TOut}, TIn, string?, CancellationToken)"/>.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="workflow">The workflow.</param>
    /// <param name="inputJson">The input as JSON text.</param>
    /// <param name="executionName">Optional execution name.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The execution.</returns>
    public async Task<TestExecution<TOut>> RunJsonAsync<TIn, TOut>(Workflow<TIn, TOut> workflow, string? inputJson, string? executionName = null, CancellationToken cancellationToken = default)
    {
        var execution = Start(workflow, inputJson, executionName);
        await execution.ResumeAsync(cancellationToken).ConfigureAwait(false);
        return execution;
    }

    /// <summary>A builder runs as <c>builder.Build()</c>. Reported as the compile error DF0003 (call <c>Build()</c>).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="builder">A builder (not accepted).</param>
    /// <param name="input">The input.</param>
    /// <param name="executionName">Optional execution name.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<TestExecution<TOut>> RunAsync<TIn, TOut>(WorkflowBuilder<TIn, TOut> builder, TIn input, string? executionName = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder runs as <c>builder.Build()</c>. Reported as the compile error DF0003 (call <c>Build()</c>).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="builder">A builder (not accepted).</param>
    /// <param name="inputJson">The input JSON.</param>
    /// <param name="executionName">Optional execution name.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<TestExecution<TOut>> RunJsonAsync<TIn, TOut>(WorkflowBuilder<TIn, TOut> builder, string? inputJson, string? executionName = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <inheritdoc />
    public void Dispose() => _loggerFactory.Dispose();

    /// <summary>Schedules an action at a virtual time; the runner fires it between invocations, in time order.</summary>
    internal void Schedule(DateTimeOffset due, string arn, Func<bool> fire)
    {
        lock (_triggers)
        {
            _triggers.Add(new ScheduledTrigger(due, ++_triggerSeq, arn, fire));
        }
    }

    internal TestExecution<TOut> Start<TIn, TOut>(Workflow<TIn, TOut> workflow, string? inputJson, string? executionName)
    {
        var arn = Engine.StartExecution(new StartExecutionRequest
        {
            FunctionName = _options.FunctionName,
            ExecutionName = executionName,
            InputPayload = inputJson,
            ExecutionTimeoutSeconds = _options.ExecutionTimeoutSeconds,
        });
        return new TestExecution<TOut>(this, arn, (input, requestId, ct) => workflow.HandleAsync(input, _store, RunOptions(requestId), ct), PayloadCodecFor(workflow));
    }

    /// <summary>
    /// Starts an execution and drives it until a callback named <paramref name="callbackName"/> (or any callback, when null) is
    /// open — created and not answered — and hands control back, even when the callback has a timeout or a scripted responder
    /// (nothing more happens on the virtual clock). The returned execution is RUNNING; answer with
    /// <see cref="TestExecution{TOut}.SendCallbackSuccessAsync"/>, <see cref="TestExecution{TOut}.SendCallbackFailureAsync"/>
    /// or <see cref="TestExecution{TOut}.SendCallbackHeartbeat"/> plus <see cref="TestExecution{TOut}.AdvanceTimeAsync"/>. If the
    /// execution ends before such a callback opens, it is returned ended.
    /// </summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="workflow">The workflow.</param>
    /// <param name="input">The input.</param>
    /// <param name="callbackName">The callback's (or its wait-for-callback's) name; null for the first callback that opens.</param>
    /// <param name="executionName">Optional execution name.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The execution, stopped at the open callback.</returns>
    public async Task<TestExecution<TOut>> RunUntilCallbackAsync<TIn, TOut>(Workflow<TIn, TOut> workflow, TIn input, string? callbackName = null, string? executionName = null, CancellationToken cancellationToken = default)
    {
        var execution = Start(workflow, JsonSerializer.Serialize(input, DurableJson.TypeInfo<TIn>(workflow.Json, "the workflow input")), executionName);
        await execution.RunUntilCallbackAsync(callbackName, cancellationToken).ConfigureAwait(false);
        return execution;
    }

    /// <summary>A builder runs as <c>builder.Build()</c>. Reported as the compile error DF0003 (call <c>Build()</c>).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="builder">A builder (not accepted).</param>
    /// <param name="input">The input.</param>
    /// <param name="callbackName">The callback name.</param>
    /// <param name="executionName">Optional execution name.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<TestExecution<TOut>> RunUntilCallbackAsync<TIn, TOut>(WorkflowBuilder<TIn, TOut> builder, TIn input, string? callbackName = null, string? executionName = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>Whether a callback matching <paramref name="callbackName"/> (any, when null) is open in the execution.</summary>
    internal bool HasOpenCallback(string arn, string? callbackName)
    {
        var ops = Engine.GetOperations(arn);
        var byId = ops.ToDictionary(o => o.Id, StringComparer.Ordinal);
        return ops.Any(o => o.Type == OperationType.Callback && o.Status == OperationStatus.Started && (callbackName is null || CallbackNames(o, byId).Contains(callbackName)));
    }

    /// <summary>
    /// Drives one execution until it ends or is blocked on the outside world; also stops when <paramref name="stopWhen"/> holds
    /// after an invocation, or before anything due after <paramref name="until"/> would fire (the clock then stands at it).
    /// </summary>
    internal async Task DriveAsync(
        string arn,
        Func<DurableExecutionInvocationInput, string, CancellationToken, Task<DurableExecutionInvocationOutput>> handler,
        CancellationToken cancellationToken,
        Func<bool>? stopWhen = null,
        DateTimeOffset? until = null)
    {
        var consecutiveFailures = 0;
        var invocations = 0;
        // Invoke at once for a new execution, or when something happened since the last invocation (a callback the test sent).
        var invokeNow = Engine.HasUpdatesSinceLastInvocation(arn) || !Engine.GetHistory(arn).Any(e => e.EventType == HistoryEventType.InvocationCompleted);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Engine.GetExecution(arn).Status != ExecutionStatus.Running)
            {
                return;
            }

            if (!invokeNow && stopWhen?.Invoke() == true)
            {
                return;
            }

            if (!invokeNow && !await FireNextTriggerAsync(arn, cancellationToken, until).ConfigureAwait(false))
            {
                if (until is { } limit)
                {
                    Clock.AdvanceTo(limit);
                }

                return;
            }

            invokeNow = false;
            if (++invocations > _options.MaxInvocations)
            {
                Engine.StopExecution(arn, new ErrorObject { ErrorType = "DurableTestRunner.InvocationLimit", ErrorMessage = $"The execution took more than {_options.MaxInvocations} invocations; the runner stopped it. Raise DurableTestRunnerOptions.MaxInvocations if this is expected." });
                return;
            }

            var input = Engine.BeginInvocation(arn);
            var requestId = $"req-{Interlocked.Increment(ref _requestCounter):D6}";
            try
            {
                var output = await handler(input, requestId, cancellationToken).ConfigureAwait(false);
                Engine.EndInvocation(arn, InvocationOutcome.Returned(output), requestId);
                consecutiveFailures = 0;
            }
            catch (InvocationTerminatedException ex)
            {
                Engine.EndInvocation(arn, InvocationOutcome.Crashed("Runtime.ExitError", ex.Message), requestId);
                invokeNow = ++consecutiveFailures < _options.MaxConsecutiveInvocationFailures;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The handler threw instead of returning: Lambda records the error and the service retries the invocation.
                Engine.EndInvocation(arn, InvocationOutcome.Crashed("Runtime.Unhandled", $"{ex.GetType().FullName}: {ex.Message}"), requestId);
                invokeNow = ++consecutiveFailures < _options.MaxConsecutiveInvocationFailures;
            }

            AfterInvocation(arn);
            if (consecutiveFailures >= _options.MaxConsecutiveInvocationFailures && Engine.GetExecution(arn).Status == ExecutionStatus.Running)
            {
                Engine.StopExecution(arn, new ErrorObject { ErrorType = "Runtime.InvocationFailures", ErrorMessage = $"{consecutiveFailures} consecutive invocations failed; the execution was stopped." });
                return;
            }
        }
    }

    private DurableRunOptions RunOptions(string requestId) => new()
    {
        TimeProvider = Clock,
        LoggerFactory = _loggerFactory,
        RequestId = requestId,
        Deadline = _options.InvocationTimeout is { } timeout ? Clock.GetUtcNow() + timeout : null,
        Services = _options.Services,
        Plugins = _options.Plugins,
        ReplayLogMode = _options.ReplayLogMode,
        PayloadOffload = _options.PayloadOffload,
        LingerYieldCap = _options.LingerYieldCap,
        BeforeStepBody = _options.CrashBeforeStep is { } crash
            ? ctx =>
            {
                if (crash(ctx))
                {
                    throw new SimulatedCrashException($"Simulated crash before step '{ctx.OperationName}' attempt {ctx.Attempt}.");
                }
            }
        : null,
    };

    private static Func<string?, object?> PayloadCodecFor<TIn, TOut>(Workflow<TIn, TOut> workflow)
    {
        var info = DurableJson.TypeInfo<TOut>(workflow.Json, "the workflow result");
        return payload => string.IsNullOrEmpty(payload) ? default(TOut) : JsonSerializer.Deserialize(payload, info);
    }

    private sealed record ScheduledTrigger(DateTimeOffset Due, long Seq, string Arn, Func<bool> Fire);
}
