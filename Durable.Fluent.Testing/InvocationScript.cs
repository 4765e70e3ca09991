using System.ComponentModel;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing;

/// <summary>
/// Builds the invocation envelopes of one execution for a unit test that mocks <see cref="ICheckpointStore"/> (with Moq or by
/// hand): the first invocation for a workflow and an input, and each next invocation from the updates the mocked store
/// received — applied by the same engine the test runner uses, so the test never builds wire operations or computes ids.
/// </summary>
/// <example>
/// <code>
/// var script = InvocationScript.Start(workflow, "World");
/// var store = new Mock&lt;ICheckpointStore&gt;();
/// store.Setup(s =&gt; s.CheckpointAsync(script.Arn, It.IsAny&lt;string&gt;(), Capture.In(script.Received), It.IsAny&lt;CancellationToken&gt;()))
///      .ReturnsAsync(script.Acknowledge);
///
/// var output = await workflow.HandleAsync(script.Input, store.Object);      // PENDING: suspended on a wait
/// output = await workflow.HandleAsync(script.Next(output), store.Object);  // the wait fired; the execution goes on
/// </code>
/// </example>
public sealed class InvocationScript
{
    private readonly LocalDurableEngine _engine;
    private readonly VirtualClock _clock;
    private int _applied;
    private int _acknowledged;
    private int _requests;
    private string _engineToken;
    private bool _invocationEnded;

    private InvocationScript(VirtualClock clock, LocalDurableEngine engine, string arn)
    {
        _clock = clock;
        _engine = engine;
        Arn = arn;
        Input = engine.BeginInvocation(arn);
        _engineToken = Input.CheckpointToken!;
    }

    /// <summary>The execution ARN every envelope carries (match it in the mock's setup).</summary>
    public string Arn { get; }

    /// <summary>The envelope of the current invocation: hand it to <c>HandleAsync</c>.</summary>
    public DurableExecutionInvocationInput Input { get; private set; }

    /// <summary>
    /// The update batches the mocked store received, in order: capture into it (<c>Capture.In(script.Received)</c>) or add each
    /// batch by hand. <see cref="Acknowledge"/> and <see cref="Next"/> apply the batches added since they last ran.
    /// </summary>
    public List<IReadOnlyList<OperationUpdate>> Received { get; } = new();

    /// <summary>The virtual time of the execution (it moves when <see cref="Next"/> fires a timer).</summary>
    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Every operation as the service records it after the applied updates (for assertions).</summary>
    public IReadOnlyList<Operation> Operations => _engine.GetOperations(Arn);

    /// <summary>Starts an execution of <paramref name="workflow"/> with <paramref name="input"/> and builds its first envelope.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="workflow">The workflow (its JSON options serialize the input).</param>
    /// <param name="input">The input.</param>
    /// <param name="executionName">Optional execution name (part of the ARN).</param>
    /// <returns>The script, positioned at the first invocation.</returns>
    public static InvocationScript Start<TIn, TOut>(Workflow<TIn, TOut> workflow, TIn input, string? executionName = null)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var clock = new VirtualClock();
        var engine = new LocalDurableEngine(clock);
        var arn = engine.StartExecution(new StartExecutionRequest
        {
            ExecutionName = executionName,
            InputPayload = JsonSerializer.Serialize(input, Serialization.DurableJson.TypeInfo<TIn>(workflow.Json, "the workflow input")),
        });
        return new InvocationScript(clock, engine, arn);
    }

    /// <summary>A script starts <c>builder.Build()</c>. Reported as the compile error DF0003 (call <c>Build()</c>).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="builder">A builder (not accepted).</param>
    /// <param name="input">The input.</param>
    /// <param name="executionName">Optional execution name.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static InvocationScript Start<TIn, TOut>(WorkflowBuilder<TIn, TOut> builder, TIn input, string? executionName = null)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>
    /// The service's answer to the batches captured so far, for the mock (<c>.ReturnsAsync(script.Acknowledge)</c> after
    /// <c>Capture.In(script.Received)</c>): the batches are applied now and the response carries what the service returns
    /// (a new token, and the operations it changed — a created callback's id, for example). With nothing captured, a fresh
    /// token and no operations.
    /// </summary>
    /// <returns>The response.</returns>
    public CheckpointResult Acknowledge()
        => Apply() ?? new($"mock-token-{Interlocked.Increment(ref _acknowledged)}", new ExecutionState { Operations = [] });

    /// <summary>The operation named <paramref name="name"/> as recorded so far (after <see cref="Next"/> applied the updates).</summary>
    /// <param name="name">The operation name.</param>
    /// <returns>The operation.</returns>
    /// <exception cref="InvalidOperationException">No single operation has that name.</exception>
    public Operation Operation(string name)
    {
        var matches = Operations.Where(o => o.Name == name).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidOperationException($"{matches.Count} operations are named '{name}'. Operations: {string.Join(", ", Operations.Select(o => $"'{o.Name}'"))}.");
    }

    /// <summary>
    /// Ends the current invocation with <paramref name="output"/>: applies the updates the store received since the last call
    /// (validated as the service validates them), then, if nothing is ready yet, fires the earliest timers (waits, retry delays,
    /// callback timeouts) on the virtual clock until the execution must be invoked again; returns that invocation's envelope.
    /// When nothing is due (an open callback nobody answered) it throws; answer with <see cref="CompleteCallback"/> /
    /// <see cref="FailCallback"/> and call it again with the same output.
    /// </summary>
    /// <param name="output">What the handler returned for the current invocation.</param>
    /// <returns>The next envelope (also in <see cref="Input"/>).</returns>
    /// <exception cref="InvalidOperationException">The execution has ended, or it waits for a callback nobody answered.</exception>
    public DurableExecutionInvocationInput Next(DurableExecutionInvocationOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Apply();
        if (!_invocationEnded)
        {
            _engine.EndInvocation(Arn, InvocationOutcome.Returned(output), $"mock-request-{++_requests}");
            _invocationEnded = true;
        }

        while (_engine.GetExecution(Arn).Status == ExecutionStatus.Running && !_engine.HasUpdatesSinceLastInvocation(Arn))
        {
            // Operation timers only: like the runner, the script does not jump to the execution timeout by itself (it is
            // applied when the clock passes it on the way to a later timer).
            if (_engine.NextOperationTimerDue(Arn) is not { } due)
            {
                var open = Operations.Where(o => o.Type == OperationType.Callback && o.Status == OperationStatus.Started).Select(o => $"'{o.Name}'");
                throw new InvalidOperationException($"Nothing is due: the execution waits for the outside world (open callbacks: {string.Join(", ", open)}). Answer with CompleteCallback(...) or FailCallback(...) before Next(...).");
            }

            _clock.AdvanceTo(due);
            _engine.FireNextTimer(Arn);
        }

        var status = _engine.GetExecution(Arn).Status;
        if (status != ExecutionStatus.Running)
        {
            throw new InvalidOperationException($"The execution has ended ({status}); there is no next invocation.");
        }

        Input = _engine.BeginInvocation(Arn);
        _engineToken = Input.CheckpointToken!;
        _invocationEnded = false;
        return Input;
    }

    /// <summary>Completes the open callback named <paramref name="callbackName"/> (or its wait-for-callback's name) with a JSON result.</summary>
    /// <param name="callbackName">The callback's name.</param>
    /// <param name="resultJson">The result as JSON text.</param>
    /// <exception cref="Engine.LocalEngineException">The callback is already closed (<c>CallbackTimeoutException</c>, 400).</exception>
    public void CompleteCallback(string callbackName, string? resultJson)
    {
        Apply();
        _engine.SendCallbackSuccess(CallbackId(callbackName), resultJson);
    }

    /// <summary>Fails the open callback named <paramref name="callbackName"/>.</summary>
    /// <param name="callbackName">The callback's name.</param>
    /// <param name="errorType">The error type.</param>
    /// <param name="errorMessage">The error message.</param>
    /// <exception cref="Engine.LocalEngineException">The callback is already closed (<c>CallbackTimeoutException</c>, 400).</exception>
    public void FailCallback(string callbackName, string errorType, string errorMessage)
    {
        Apply();
        _engine.SendCallbackFailure(CallbackId(callbackName), new ErrorObject { ErrorType = errorType, ErrorMessage = errorMessage });
    }

    private string CallbackId(string name)
        => _engine.FindCallbackId(Arn, name) ?? _engine.FindCallbackId(Arn, name + "-callback") ?? throw new InvalidOperationException($"No open callback named '{name}'. Operations: {string.Join(", ", Operations.Select(o => $"'{o.Name}'"))}.");

    private CheckpointResult? Apply()
    {
        CheckpointResult? last = null;
        for (; _applied < Received.Count; _applied++)
        {
            last = _engine.Checkpoint(Arn, _engineToken, Received[_applied]);
            _engineToken = last.CheckpointToken ?? _engineToken;
        }

        return last;
    }
}
