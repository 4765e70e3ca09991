using System.ComponentModel;
using System.Text.Json;
using Durable.Fluent.Interpretation;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing;

/// <summary>Callback responders, the function registry for chained invokes, and the driving of chained child executions.</summary>
public sealed partial class DurableTestRunner
{
    private readonly List<ResponderSlot> _responders = new();
    private readonly Dictionary<string, int> _callbackCursor = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegisteredFunction> _functions = new(StringComparer.Ordinal);
    private readonly List<ChildRun> _children = new();
    private long _plainRequests;

    private enum FireResult
    {
        Nothing,
        Fired,
        NeedsInvoke,
    }

    /// <summary>
    /// Scripts the outside system's answers for callbacks named <paramref name="callbackName"/> (or the wait-for-callback that
    /// contains them; <c>"*"</c> for any), in order, so tests never sleep: e.g. <c>CallbackResponse.Heartbeat().After(5 s)</c>
    /// then <c>CallbackResponse.Succeed("\"ok\"").After(1 s)</c>. Each response is used once.
    /// </summary>
    /// <param name="callbackName">The callback's name, or <c>"*"</c>.</param>
    /// <param name="responses">The responses, in the order they are sent.</param>
    /// <returns>This runner.</returns>
    public DurableTestRunner RespondToCallback(string callbackName, params CallbackResponse[] responses)
    {
        ArgumentNullException.ThrowIfNull(callbackName);
        ArgumentNullException.ThrowIfNull(responses);
        lock (_responders)
        {
            foreach (var r in responses)
            {
                _responders.Add(new ResponderSlot(new CallbackResponder(callbackName, r)));
            }
        }

        return this;
    }

    /// <summary>Adds one scripted answer (see <see cref="DurableTestRunnerOptions.CallbackResponders"/>).</summary>
    /// <param name="responder">The responder.</param>
    /// <returns>This runner.</returns>
    public DurableTestRunner RespondToCallback(CallbackResponder responder)
    {
        ArgumentNullException.ThrowIfNull(responder);
        lock (_responders)
        {
            _responders.Add(new ResponderSlot(responder));
        }

        return this;
    }

    /// <summary>
    /// Registers a durable function for chained invokes. An invoke of <paramref name="functionName"/> (also as an ARN or with a
    /// qualifier) starts a child execution of <paramref name="workflow"/> in the same engine, driven on the same virtual clock;
    /// its end becomes the ChainedInvokeSucceeded/Failed trigger of the caller.
    /// </summary>
    /// <typeparam name="TIn">The target's input type.</typeparam>
    /// <typeparam name="TOut">The target's result type.</typeparam>
    /// <param name="functionName">The function name.</param>
    /// <param name="workflow">The target workflow.</param>
    /// <returns>This runner.</returns>
    public DurableTestRunner RegisterFunction<TIn, TOut>(string functionName, Workflow<TIn, TOut> workflow)
    {
        ArgumentException.ThrowIfNullOrEmpty(functionName);
        ArgumentNullException.ThrowIfNull(workflow);
        lock (_functions)
        {
            _functions[functionName] = new RegisteredFunction((input, requestId, ct) => workflow.HandleAsync(input, _store, RunOptions(requestId), ct), null);
        }

        return this;
    }

    /// <summary>A builder is registered as <c>builder.Build()</c>. Reported as the compile error DF0003 (call <c>Build()</c>).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="functionName">The function name.</param>
    /// <param name="builder">A builder (not accepted).</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public DurableTestRunner RegisterFunction<TIn, TOut>(string functionName, WorkflowBuilder<TIn, TOut> builder)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>
    /// Registers a plain (non-durable) function for chained invokes: the payload is deserialized from JSON, the result serialized
    /// to JSON; an exception becomes ChainedInvokeFailed. It answers right after the calling invocation ends.
    /// </summary>
    /// <typeparam name="TIn">The payload type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="functionName">The function name.</param>
    /// <param name="function">The function.</param>
    /// <returns>This runner.</returns>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("Reflection-based JSON; under trimming or Native AOT pass the payload and result metadata: RegisterFunction(name, function, AppJson.Default.In, AppJson.Default.Out).")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("Reflection-based JSON; under trimming or Native AOT pass the payload and result metadata: RegisterFunction(name, function, AppJson.Default.In, AppJson.Default.Out).")]
    public DurableTestRunner RegisterFunction<TIn, TOut>(string functionName, Func<TIn, TOut> function)
    {
        var options = Serialization.DurableJson.DefaultOptions;
        return RegisterFunction(
            functionName,
            function,
            Serialization.DurableJson.TypeInfo<TIn>(options, $"the payload of function '{functionName}'"),
            Serialization.DurableJson.TypeInfo<TOut>(options, $"the result of function '{functionName}'"));
    }

    /// <summary>
    /// Registers a plain (non-durable) function for chained invokes whose payload and result are (de)serialized with
    /// source-generated metadata (trimming and Native AOT safe).
    /// </summary>
    /// <typeparam name="TIn">The payload type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="functionName">The function name.</param>
    /// <param name="function">The function.</param>
    /// <param name="payload">The payload's metadata.</param>
    /// <param name="result">The result's metadata.</param>
    /// <returns>This runner.</returns>
    public DurableTestRunner RegisterFunction<TIn, TOut>(string functionName, Func<TIn, TOut> function, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TIn> payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TOut> result)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(result);
        return RegisterRawFunction(functionName, text =>
        {
            var input = string.IsNullOrEmpty(text) ? default! : JsonSerializer.Deserialize(text, payload)!;
            return JsonSerializer.Serialize(function(input), result);
        });
    }

    /// <summary>Registers a plain function that receives and returns raw payload text.</summary>
    /// <param name="functionName">The function name.</param>
    /// <param name="function">The function.</param>
    /// <returns>This runner.</returns>
    public DurableTestRunner RegisterRawFunction(string functionName, Func<string?, string?> function)
    {
        ArgumentException.ThrowIfNullOrEmpty(functionName);
        ArgumentNullException.ThrowIfNull(function);
        lock (_functions)
        {
            _functions[functionName] = new RegisteredFunction(null, function);
        }

        return this;
    }

    /// <summary>Finds a callback id by the callback's name (or its wait-for-callback's name), or accepts an id as is.</summary>
    internal string ResolveCallbackId(string arn, string nameOrId)
    {
        var ops = Engine.GetOperations(arn);
        var byId = ops.ToDictionary(o => o.Id, StringComparer.Ordinal);
        var match = ops.LastOrDefault(o => o.Type == OperationType.Callback && CallbackNames(o, byId).Contains(nameOrId));
        if (match?.CallbackDetails?.CallbackId is { } id)
        {
            return id;
        }

        if (ops.Any(o => o.CallbackDetails?.CallbackId == nameOrId))
        {
            return nameOrId;
        }

        var known = ops.Where(o => o.Type == OperationType.Callback).Select(o => $"'{o.Name}'");
        throw new InvalidOperationException($"No callback named '{nameOrId}' (and no callback has that id). Callbacks: {string.Join(", ", known)}.");
    }

    private static IEnumerable<string?> CallbackNames(Operation op, IReadOnlyDictionary<string, Operation> byId)
    {
        yield return op.Name;
        if (op.ParentId is { } p && byId.TryGetValue(p, out var parent) && parent.SubType == OperationSubTypes.WaitForCallback)
        {
            yield return parent.Name;
        }
    }

    private void InitWaiting(DurableTestRunnerOptions options)
    {
        foreach (var r in options.CallbackResponders)
        {
            _responders.Add(new ResponderSlot(r));
        }

        Engine.ChainedInvokeStarter = StartChainedInvoke;
    }

    /// <summary>Schedules the declared responders for the callbacks the last invocation created (history-events §4.3).</summary>
    private void AfterInvocation(string arn)
    {
        _callbackCursor.TryGetValue(arn, out var cursor);
        var (started, last) = Engine.EventsAfter(arn, cursor, HistoryEventType.CallbackStarted);
        _callbackCursor[arn] = last;
        if (started.Count == 0)
        {
            return;
        }

        var byId = Engine.GetOperations(arn).ToDictionary(o => o.Id, StringComparer.Ordinal);
        var at = Clock.GetUtcNow();
        foreach (var ev in started)
        {
            if (ev.Details.CallbackId is not { } callbackId || ev.Id is null || !byId.TryGetValue(ev.Id, out var op))
            {
                continue;
            }

            var names = CallbackNames(op, byId).ToList();
            while (true)
            {
                ResponderSlot? slot;
                lock (_responders)
                {
                    slot = _responders.FirstOrDefault(s => !s.Used && names.Any(s.Responder.Matches));
                    if (slot is not null)
                    {
                        slot.Used = true;
                    }
                }

                if (slot is null)
                {
                    break;
                }

                var response = slot.Responder.Response;
                at += response.Delay;
                Schedule(at, arn, () => Send(callbackId, response));
                if (response.Kind != CallbackResponseKind.Heartbeat)
                {
                    break;
                }
            }
        }
    }

    private bool Send(string callbackId, CallbackResponse response)
    {
        try
        {
            switch (response.Kind)
            {
                case CallbackResponseKind.Succeed:
                    Engine.SendCallbackSuccess(callbackId, response.Payload);
                    return true;
                case CallbackResponseKind.Fail:
                    Engine.SendCallbackFailure(callbackId, response.Error);
                    return true;
                default:
                    Engine.SendCallbackHeartbeat(callbackId);
                    return false;
            }
        }
        catch (LocalEngineException)
        {
            // The callback is no longer open (it timed out, or the execution ended): the outside system gets a conflict.
            return false;
        }
    }

    private ChainedInvokeStart StartChainedInvoke(ChainedInvokeRequest req)
    {
        var function = FindFunction(req.FunctionName, out var registeredName);
        if (function?.Durable is { } handler)
        {
            var childArn = Engine.StartExecution(new StartExecutionRequest
            {
                FunctionName = registeredName!,
                InputPayload = req.Payload,
                TenantId = req.TenantId,
                TraceHeader = req.TraceHeader,
                ExecutionTimeoutSeconds = _options.ExecutionTimeoutSeconds,
            });
            lock (_children)
            {
                _children.Add(new ChildRun(childArn, req.ParentArn, req.OperationId, handler));
            }

            return new ChainedInvokeStart(childArn, "$LATEST");
        }

        var requestArn = $"arn:aws:lambda:us-east-1:123456789012:function:{registeredName ?? req.FunctionName}:$LATEST/request/{Interlocked.Increment(ref _plainRequests):D6}";
        Schedule(Clock.GetUtcNow(), req.ParentArn, () =>
        {
            if (function?.Plain is not { } plain)
            {
                Engine.CompleteChainedInvoke(req.ParentArn, req.OperationId, OperationStatus.Failed, null, new ErrorObject
                {
                    ErrorType = "ResourceNotFoundException",
                    ErrorMessage = $"Function not found: '{req.FunctionName}'. Register it with DurableTestRunner.RegisterFunction(\"{req.FunctionName}\", ...).",
                });
                return true;
            }

            try
            {
                Engine.CompleteChainedInvoke(req.ParentArn, req.OperationId, OperationStatus.Succeeded, plain(req.Payload), null);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Engine.CompleteChainedInvoke(req.ParentArn, req.OperationId, OperationStatus.Failed, null, ErrorObjects.From(ex));
            }

            return true;
        });
        return new ChainedInvokeStart(requestArn, "$LATEST");
    }

    private RegisteredFunction? FindFunction(string functionName, out string? registeredName)
    {
        lock (_functions)
        {
            foreach (var candidate in Candidates(functionName))
            {
                if (_functions.TryGetValue(candidate, out var f))
                {
                    registeredName = candidate;
                    return f;
                }
            }
        }

        registeredName = null;
        return null;

        static IEnumerable<string> Candidates(string name)
        {
            yield return name;
            var marker = name.IndexOf(":function:", StringComparison.Ordinal);
            if (marker >= 0)
            {
                name = name[(marker + ":function:".Length)..];
                yield return name;
            }

            var colon = name.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                yield return name[..colon];
            }
        }
    }

    /// <summary>Advances to the earliest trigger of the execution (or of a chained child) and fires it; true when the execution must be invoked.</summary>
    private async Task<bool> FireNextTriggerAsync(string arn, CancellationToken cancellationToken, DateTimeOffset? until = null)
    {
        while (true)
        {
            if (until is { } limit && (NextDueOverall(arn) is not { } due || due > limit))
            {
                return false;
            }

            switch (await FireOneAsync(arn, cancellationToken).ConfigureAwait(false))
            {
                case FireResult.Nothing:
                    return false;
                case FireResult.NeedsInvoke:
                    return true;
            }
        }
    }

    private async Task<FireResult> FireOneAsync(string arn, CancellationToken cancellationToken)
    {
        var engineDue = Engine.NextOperationTimerDue(arn);
        var scheduled = NextScheduled(arn);
        var (child, childDue) = NextChild(arn);
        if (ExecutionTimeoutFirst(arn, Earliest(engineDue, scheduled?.Due, child is null ? null : childDue)) is { } timedOut)
        {
            Clock.AdvanceTo(timedOut.Deadline);
            Engine.FireNextTimer(timedOut.Arn); // applies the timeout
            if (timedOut.Child is null)
            {
                return FireResult.Fired;
            }

            return await StepChildAsync(timedOut.Child, cancellationToken).ConfigureAwait(false) ? FireResult.NeedsInvoke : FireResult.Fired;
        }

        if (child is not null && (scheduled is null || childDue <= scheduled.Due) && (engineDue is null || childDue <= engineDue.Value))
        {
            Clock.AdvanceTo(childDue);
            return await StepChildAsync(child, cancellationToken).ConfigureAwait(false) ? FireResult.NeedsInvoke : FireResult.Fired;
        }

        if (engineDue is null && scheduled is null)
        {
            return FireResult.Nothing;
        }

        if (scheduled is not null && (engineDue is null || scheduled.Due < engineDue.Value))
        {
            lock (_triggers)
            {
                _triggers.Remove(scheduled);
            }

            Clock.AdvanceTo(scheduled.Due);
            return scheduled.Fire() ? FireResult.NeedsInvoke : FireResult.Fired;
        }

        Clock.AdvanceTo(engineDue!.Value);
        return Engine.FireNextTimer(arn) ? FireResult.NeedsInvoke : FireResult.Fired;
    }

    /// <summary>
    /// The execution timeout that falls first, if it falls no later than <paramref name="next"/> — the next trigger the runner
    /// would move the clock to: this execution's own, or a chained child's. With no next trigger the execution waits on the
    /// outside world, and the runner does not move the clock to a deadline by itself (a test that wants the timeout advances
    /// <see cref="Clock"/>; the engine then applies it).
    /// </summary>
    private (string Arn, DateTimeOffset Deadline, ChildRun? Child)? ExecutionTimeoutFirst(string arn, DateTimeOffset? next)
    {
        if (next is null)
        {
            return null;
        }

        (string Arn, DateTimeOffset Deadline, ChildRun? Child)? first = Engine.Deadline(arn) is { } own && own <= next ? (arn, own, null) : null;
        List<ChildRun> children;
        lock (_children)
        {
            children = _children.Where(c => c.ParentArn == arn).ToList();
        }

        foreach (var c in children)
        {
            if (Engine.Deadline(c.Arn) is { } d && d <= next && (first is null || d < first.Value.Deadline))
            {
                first = (c.Arn, d, c);
            }
        }

        return first;
    }

    private static DateTimeOffset? Earliest(params DateTimeOffset?[] times)
    {
        DateTimeOffset? best = null;
        foreach (var t in times)
        {
            if (t is { } v && (best is null || v < best))
            {
                best = v;
            }
        }

        return best;
    }

    private DateTimeOffset? NextDueOverall(string arn)
    {
        DateTimeOffset? due = Engine.NextTimerDue(arn);
        if (NextScheduled(arn) is { } s && (due is null || s.Due < due))
        {
            due = s.Due;
        }

        var (child, childDue) = NextChild(arn);
        if (child is not null && (due is null || childDue < due))
        {
            due = childDue;
        }

        return due;
    }

    private ScheduledTrigger? NextScheduled(string arn)
    {
        lock (_triggers)
        {
            return _triggers.Where(t => t.Arn == arn).OrderBy(t => t.Due).ThenBy(t => t.Seq).FirstOrDefault();
        }
    }

    private (ChildRun? Child, DateTimeOffset Due) NextChild(string parentArn)
    {
        List<ChildRun> children;
        lock (_children)
        {
            children = _children.Where(c => c.ParentArn == parentArn).ToList();
        }

        ChildRun? best = null;
        var bestDue = DateTimeOffset.MaxValue;
        foreach (var c in children)
        {
            if (NextDue(c) is { } due && due < bestDue)
            {
                best = c;
                bestDue = due;
            }
        }

        return (best, bestDue);
    }

    private DateTimeOffset? NextDue(ChildRun child)
    {
        if (Engine.GetExecution(child.Arn).Status != ExecutionStatus.Running)
        {
            return Clock.GetUtcNow();
        }

        if (child.NeedsInvoke || Engine.HasUpdatesSinceLastInvocation(child.Arn))
        {
            return Clock.GetUtcNow();
        }

        DateTimeOffset? due = Engine.NextOperationTimerDue(child.Arn);
        if (NextScheduled(child.Arn) is { } s && (due is null || s.Due < due))
        {
            due = s.Due;
        }

        var (grandchild, gDue) = NextChild(child.Arn);
        if (grandchild is not null && (due is null || gDue < due))
        {
            due = gDue;
        }

        return due;
    }

    /// <summary>Moves a chained child one step (one trigger and/or one invocation); true when the parent must be invoked.</summary>
    private async Task<bool> StepChildAsync(ChildRun child, CancellationToken cancellationToken)
    {
        if (Engine.GetExecution(child.Arn).Status == ExecutionStatus.Running)
        {
            var invoke = child.NeedsInvoke || Engine.HasUpdatesSinceLastInvocation(child.Arn)
                || await FireOneAsync(child.Arn, cancellationToken).ConfigureAwait(false) == FireResult.NeedsInvoke;
            if (invoke)
            {
                await InvokeChildAsync(child, cancellationToken).ConfigureAwait(false);
            }
        }

        var snapshot = Engine.GetExecution(child.Arn);
        if (snapshot.Status == ExecutionStatus.Running)
        {
            return false;
        }

        lock (_children)
        {
            _children.Remove(child);
        }

        var status = snapshot.Status switch
        {
            ExecutionStatus.Succeeded => OperationStatus.Succeeded,
            ExecutionStatus.TimedOut => OperationStatus.TimedOut,
            ExecutionStatus.Stopped => OperationStatus.Stopped,
            _ => OperationStatus.Failed,
        };
        Engine.CompleteChainedInvoke(child.ParentArn, child.OperationId, status, snapshot.Result, status == OperationStatus.Succeeded ? null : snapshot.Error ?? new ErrorObject());
        return true;
    }

    private async Task InvokeChildAsync(ChildRun child, CancellationToken cancellationToken)
    {
        child.NeedsInvoke = false;
        var input = Engine.BeginInvocation(child.Arn);
        var requestId = $"req-{Interlocked.Increment(ref _requestCounter):D6}";
        try
        {
            var output = await child.Handler(input, requestId, cancellationToken).ConfigureAwait(false);
            Engine.EndInvocation(child.Arn, InvocationOutcome.Returned(output), requestId);
            child.Failures = 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Engine.EndInvocation(child.Arn, InvocationOutcome.Crashed(ex is InvocationTerminatedException ? "Runtime.ExitError" : "Runtime.Unhandled", ex.Message), requestId);
            child.NeedsInvoke = ++child.Failures < _options.MaxConsecutiveInvocationFailures;
            if (!child.NeedsInvoke)
            {
                Engine.StopExecution(child.Arn, new ErrorObject { ErrorType = "Runtime.InvocationFailures", ErrorMessage = $"{child.Failures} consecutive invocations failed; the execution was stopped." });
            }
        }

        AfterInvocation(child.Arn);
    }

    private sealed class ResponderSlot(CallbackResponder responder)
    {
        public CallbackResponder Responder { get; } = responder;

        public bool Used { get; set; }
    }

    private sealed record RegisteredFunction(
        Func<DurableExecutionInvocationInput, string, CancellationToken, Task<DurableExecutionInvocationOutput>>? Durable,
        Func<string?, string?>? Plain);

    private sealed class ChildRun(string arn, string parentArn, string operationId, Func<DurableExecutionInvocationInput, string, CancellationToken, Task<DurableExecutionInvocationOutput>> handler)
    {
        public string Arn { get; } = arn;

        public string ParentArn { get; } = parentArn;

        public string OperationId { get; } = operationId;

        public Func<DurableExecutionInvocationInput, string, CancellationToken, Task<DurableExecutionInvocationOutput>> Handler { get; } = handler;

        public bool NeedsInvoke { get; set; } = true;

        public int Failures { get; set; }
    }
}
