using System.Diagnostics;
using Durable.Fluent.Plugins;
using Durable.Fluent.Wire;
using A = Durable.Fluent.Diagnostics.DurableDiagnostics.Attributes;

namespace Durable.Fluent.Diagnostics;

/// <summary>
/// Turns the interpreter's hooks of one invocation into spans (when the <c>Durable.Fluent</c> source has listeners) and
/// metrics (when the <c>Durable.Fluent</c> meter's instruments are enabled). Created only while something listens, so an
/// unobserved invocation pays nothing.
/// <para>Spans describe the work an invocation does. The invocation span is the root; its trace id is derived from the
/// execution ARN (<see cref="DurableDiagnostics.TraceIdFor"/>), so every invocation of an execution joins one trace. An
/// operation gets a span in the invocation that starts it, and in each later invocation that runs user code for it again (a
/// retry attempt, a context whose function resumes), marked <c>durable.operation.resumed</c>. Operations returned from the
/// checkpoint log produce no span; a context re-run only to rebuild a result too large for its checkpoint produces none
/// either. Step attempts are child spans of their step. An operation the service finished between invocations (a timer, a
/// callback, an invoke) is an event on the invocation span.</para>
/// </summary>
internal sealed class InvocationTelemetry : DurablePlugin
{
    private readonly string _arn;
    private readonly TimeProvider _time;
    private readonly bool _tracing;
    private readonly bool _replays;
    private readonly long _startedAt;
    private readonly object _gate = new();
    private readonly Dictionary<string, Spans> _operations = new(StringComparer.Ordinal);
    private readonly List<Spans> _opened = new();
    private Activity? _invocation;
    private long _replayEndedAt;
    private int _replayed;

    public InvocationTelemetry(string arn, TimeProvider time, bool replays)
    {
        _arn = arn;
        _time = time;
        _replays = replays;
        _tracing = Instruments.Source.HasListeners();
        _startedAt = time.GetTimestamp();
    }

    /// <summary>Counts a recorded operation the interpreter reached (replay hot path: an increment).</summary>
    public void Replayed() => Interlocked.Increment(ref _replayed);

    /// <summary>Replay ended: the invocation reached new work or visited every recorded operation.</summary>
    public void ReplayEnded() => Interlocked.CompareExchange(ref _replayEndedAt, _time.GetTimestamp(), 0);

    /// <summary>A failed attempt of <paramref name="id"/> will be retried after <paramref name="delaySeconds"/>.</summary>
    public void RetryScheduled(string id, string? subType, int delaySeconds)
    {
        Instruments.Retries.Add(1, new KeyValuePair<string, object?>(A.OperationSubType, subType));
        lock (_gate)
        {
            if (_operations.TryGetValue(id, out var op) && op.Attempt is { } attempt)
            {
                attempt.SetTag(A.RetryScheduled, true);
                attempt.SetTag(A.RetryDelaySeconds, delaySeconds);
                Stop(attempt, op.AttemptEnd);
                op.Attempt = null;
            }
        }
    }

    public override void OnInvocationStart(InvocationStartInfo info)
    {
        if (!_tracing)
        {
            return;
        }

        // The invocation's trace comes from the execution ARN, not from whatever span the host has open; that span (a Lambda
        // instrumentation's, say) is linked instead, so both stay reachable.
        var ambient = Activity.Current;
        Activity.Current = null;
        var parent = new ActivityContext(DurableDiagnostics.TraceIdFor(_arn), default, ActivityTraceFlags.Recorded, isRemote: true);
        var links = ambient is null ? null : new[] { new ActivityLink(ambient.Context) };
        var activity = Instruments.Source.CreateActivity(DurableDiagnostics.InvocationSpanName, ActivityKind.Internal, parent, tags: null, links);
        if (activity is null)
        {
            Activity.Current = ambient;
            return;
        }

        activity.SetStartTime(_time.GetUtcNow().UtcDateTime);
        activity.SetTag(A.ExecutionArn, _arn);
        activity.SetTag(A.InvocationFirst, info.IsFirstInvocation);
        if (info.RequestId is { } requestId)
        {
            activity.SetTag(A.InvocationRequestId, requestId);
        }

        activity.Start();
        _invocation = activity;
    }

    public override void OnInvocationEnd(InvocationEndInfo info)
    {
        var status = Token(info.Status);
        var outcome = new KeyValuePair<string, object?>(A.InvocationStatus, status);
        Instruments.Invocations.Add(1, outcome);
        Instruments.InvocationDuration.Record(_time.GetElapsedTime(_startedAt).TotalSeconds, outcome);
        if (info.Status == InvocationStatus.Pending)
        {
            Instruments.Suspensions.Add(1);
        }

        if (_replays)
        {
            var endedAt = Interlocked.Read(ref _replayEndedAt);
            Instruments.ReplayDuration.Record(_time.GetElapsedTime(_startedAt, endedAt == 0 ? _time.GetTimestamp() : endedAt).TotalSeconds);
        }

        Instruments.ReplayedOperations.Add(Volatile.Read(ref _replayed));
        if (_invocation is not { } invocation)
        {
            return;
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            // Operations still open wait on the service (a timer, a callback, an invoke, a retry): their spans end here, with
            // the status the operation has now.
            for (var i = _opened.Count - 1; i >= 0; i--)
            {
                var op = _opened[i];
                if (!op.Closed)
                {
                    var current = info.Operations.TryGetValue(op.Id, out var o) ? o : null;
                    Close(op, current?.Status ?? OperationStatus.Started, Error(current), current?.IsTerminal == true ? current.EndTimestamp ?? now : now);
                }
            }
        }

        invocation.SetTag(A.InvocationStatus, status);
        invocation.SetTag(A.ReplayedOperations, Volatile.Read(ref _replayed));
        if (info.Status == InvocationStatus.Failed)
        {
            invocation.SetTag(A.ErrorType, info.ExecutionError?.ErrorType ?? "Failed");
            invocation.SetStatus(ActivityStatusCode.Error, info.ExecutionError?.ErrorMessage);
        }

        Stop(invocation, now);
    }

    /// <summary>
    /// The invocation ends with an exception instead of an output (a retryable checkpoint error the service retries, a
    /// cancellation): open spans end, the invocation span with status Error and the exception's type.
    /// </summary>
    public void InvocationAborted(Exception exception)
    {
        var type = exception.GetType().FullName ?? exception.GetType().Name;
        var outcome = new KeyValuePair<string, object?>(A.InvocationStatus, "ABORTED");
        Instruments.Invocations.Add(1, outcome);
        Instruments.InvocationDuration.Record(_time.GetElapsedTime(_startedAt).TotalSeconds, outcome);
        if (_invocation is not { } invocation)
        {
            return;
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            for (var i = _opened.Count - 1; i >= 0; i--)
            {
                if (!_opened[i].Closed)
                {
                    Close(_opened[i], OperationStatus.Started, null, now);
                }
            }
        }

        invocation.SetTag(A.InvocationStatus, "ABORTED");
        invocation.SetTag(A.ErrorType, type);
        invocation.SetStatus(ActivityStatusCode.Error, exception.Message);
        Stop(invocation, now);
    }

    public override void OnOperationStart(OperationInfo info)
    {
        if (info.IsReplay)
        {
            return; // a recorded operation re-observed: a span opens only if user code runs for it (see OnAttemptStart)
        }

        Instruments.OperationsStarted.Add(1, new KeyValuePair<string, object?>(A.OperationType, Token(info.Type)), new KeyValuePair<string, object?>(A.OperationSubType, info.SubType));
        if (_invocation is not null)
        {
            lock (_gate)
            {
                Open(info.Id, info.Name, info.Type, info.SubType, info.ParentId, resumed: false, info.StartTimestamp ?? _time.GetUtcNow());
            }
        }
    }

    public override void OnOperationEnd(OperationInfo info)
    {
        var status = info.Status ?? OperationStatus.Succeeded;
        Instruments.Operations.Add(
            1,
            new KeyValuePair<string, object?>(A.OperationType, Token(info.Type)),
            new KeyValuePair<string, object?>(A.OperationSubType, info.SubType),
            new KeyValuePair<string, object?>(A.OperationStatus, Token(status)));
        if (_invocation is not { } invocation)
        {
            return;
        }

        lock (_gate)
        {
            if (_operations.TryGetValue(info.Id, out var op))
            {
                if (!op.Closed)
                {
                    Close(op, status, info.Error, info.EndTimestamp ?? _time.GetUtcNow());
                }

                return;
            }

            // Finished by the service since the previous invocation (or by a checkpoint of work this invocation did not trace):
            // no work of this invocation, so an event rather than a span.
            var tags = new ActivityTagsCollection
            {
                [A.OperationId] = info.Id,
                [A.OperationType] = Token(info.Type),
                [A.OperationStatus] = Token(status),
            };
            if (info.Name is { } name)
            {
                tags[A.OperationName] = name;
            }

            invocation.AddEvent(new ActivityEvent("durable.operation.ended", info.EndTimestamp ?? _time.GetUtcNow(), tags));
        }
    }

    public override void OnAttemptStart(AttemptInfo info)
    {
        if (_invocation is null || info.RebuildsResult)
        {
            return; // a context re-run only to rebuild its large result replays; it is not new work
        }

        lock (_gate)
        {
            var op = Open(info.Id, info.Name, info.Type, info.SubType, info.ParentId, resumed: info.IsReplay, info.StartTimestamp);
            if (op.Operation is not { } operation)
            {
                return;
            }

            if (info.Type == OperationType.Context)
            {
                Activity.Current = operation; // code in the context runs under its span
                return;
            }

            var attempt = Instruments.Source.CreateActivity($"{op.Name} attempt {info.Attempt}", ActivityKind.Internal, operation.Context);
            if (attempt is null)
            {
                return;
            }

            attempt.SetStartTime(info.StartTimestamp.UtcDateTime);
            attempt.SetTag(A.OperationId, info.Id);
            attempt.SetTag(A.Attempt, info.Attempt);
            attempt.Start(); // the step body runs under its attempt span, so instrumented calls it makes nest beneath it
            op.Attempt = attempt;
        }
    }

    public override void OnAttemptEnd(AttemptInfo info)
    {
        var end = info.EndTimestamp ?? _time.GetUtcNow();
        if (info.Type == OperationType.Step)
        {
            var subType = new KeyValuePair<string, object?>(A.OperationSubType, info.SubType);
            var outcome = new KeyValuePair<string, object?>(A.AttemptOutcome, info.Outcome is { } o ? Token(o) : "SUSPENDED");
            Instruments.Attempts.Add(1, subType, outcome);
            Instruments.AttemptDuration.Record((end - info.StartTimestamp).TotalSeconds, subType, outcome);
        }

        if (_invocation is null || info.RebuildsResult)
        {
            return;
        }

        lock (_gate)
        {
            if (!_operations.TryGetValue(info.Id, out var op) || op.Operation is not { } operation)
            {
                return;
            }

            if (info.Type == OperationType.Context)
            {
                if (info.Outcome is { } outcome && !op.Closed)
                {
                    Close(op, outcome, info.Error, end);
                }

                Activity.Current = op.Parent;
                return;
            }

            if (op.Attempt is { } attempt)
            {
                attempt.SetTag(A.AttemptOutcome, info.Outcome is { } o ? Token(o) : null);
                if (info.Outcome == OperationStatus.Failed)
                {
                    // Kept open until the retry decision (RetryScheduled, or the step's FAIL) adds the retry attributes.
                    MarkFailed(attempt, info.Error);
                    op.AttemptEnd = end;
                }
                else
                {
                    Stop(attempt, end);
                    op.Attempt = null;
                }
            }

            Activity.Current = operation;
        }
    }

    private Spans Open(string id, string? name, OperationType type, string? subType, string? parentId, bool resumed, DateTimeOffset start)
    {
        if (_operations.TryGetValue(id, out var existing))
        {
            return existing;
        }

        var parent = parentId is not null && _operations.TryGetValue(parentId, out var p) && p.Operation is { } parentSpan ? parentSpan : _invocation;
        var spanName = name is null ? subType ?? Token(type) : $"{subType ?? Token(type)} {name}";
        var spans = new Spans(id, spanName, parent);
        var previous = Activity.Current;
        var activity = Instruments.Source.CreateActivity(spanName, ActivityKind.Internal, parent?.Context ?? default);
        if (activity is not null)
        {
            activity.SetStartTime(start.UtcDateTime);
            activity.SetTag(A.ExecutionArn, _arn);
            activity.SetTag(A.OperationId, id);
            activity.SetTag(A.OperationType, Token(type));
            activity.SetTag(A.OperationSubType, subType);
            if (name is not null)
            {
                activity.SetTag(A.OperationName, name);
            }

            if (parentId is not null)
            {
                activity.SetTag(A.OperationParentId, parentId);
            }

            if (resumed)
            {
                activity.SetTag(A.OperationResumed, true);
            }

            activity.Start();
            Activity.Current = previous; // opening a span never changes what the caller runs under
            spans.Operation = activity;
            _opened.Add(spans);
        }

        _operations[id] = spans;
        return spans;
    }

    private static void Close(Spans op, OperationStatus status, ErrorObject? error, DateTimeOffset end)
    {
        op.Closed = true;
        if (op.Attempt is { } attempt)
        {
            if (op.AttemptEnd is not null)
            {
                // A failed attempt whose retry decision was never reported: the step failed for good.
                attempt.SetTag(A.RetryScheduled, false);
            }

            Stop(attempt, op.AttemptEnd ?? end);
            op.Attempt = null;
        }

        if (op.Operation is not { } operation)
        {
            return;
        }

        operation.SetTag(A.OperationStatus, Token(status));
        if (status is OperationStatus.Failed or OperationStatus.TimedOut or OperationStatus.Cancelled or OperationStatus.Stopped)
        {
            operation.SetTag(A.ErrorType, error?.ErrorType ?? Token(status));
            operation.SetStatus(ActivityStatusCode.Error, error?.ErrorMessage);
        }

        Stop(operation, end);
    }

    private static void MarkFailed(Activity activity, ErrorObject? error)
    {
        var type = error?.ErrorType ?? "Error";
        activity.SetTag(A.ErrorType, type);
        activity.SetStatus(ActivityStatusCode.Error, error?.ErrorMessage);
        activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
        {
            ["exception.type"] = type,
            ["exception.message"] = error?.ErrorMessage,
        }));
    }

    /// <summary>Ends a span at <paramref name="end"/> without changing <see cref="Activity.Current"/> for the caller.</summary>
    private static void Stop(Activity activity, DateTimeOffset? end)
    {
        if (activity.IsStopped)
        {
            return;
        }

        var current = Activity.Current;
        if (end is { } e && e.UtcDateTime >= activity.StartTimeUtc)
        {
            activity.SetEndTime(e.UtcDateTime);
        }

        activity.Stop();
        Activity.Current = ReferenceEquals(current, activity) ? null : current;
    }

    private static ErrorObject? Error(Operation? op)
        => op is null ? null : op.StepDetails?.Error ?? op.ContextDetails?.Error ?? op.CallbackDetails?.Error ?? op.ChainedInvokeDetails?.Error;

    private static string Token<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => UpperSnakeEnumConverter<TEnum>.ToToken(value);

    /// <summary>The spans of one operation in this invocation.</summary>
    private sealed class Spans(string id, string name, Activity? parent)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        /// <summary>The span the operation's span hangs under (its context's, or the invocation's).</summary>
        public Activity? Parent { get; } = parent;

        public Activity? Operation { get; set; }

        /// <summary>The current or last failed attempt, until the retry decision.</summary>
        public Activity? Attempt { get; set; }

        public DateTimeOffset? AttemptEnd { get; set; }

        public bool Closed { get; set; }
    }
}
