using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Diagnostics;
using Durable.Fluent.Payloads;
using Durable.Fluent.Plugins;
using Durable.Fluent.Retries;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// The state of one invocation: the merged checkpoint log, the batcher, the clock, limits and replay tracking, and the
/// invocation's abort switch. The first fatal error anywhere (a failed checkpoint call, a simulated crash, a
/// non-deterministic replay in one branch) aborts the run: <see cref="Cancellation"/> is cancelled, so running bodies see
/// their token cancelled, and no node, step body or poll starts any more (see <see cref="ThrowIfAborted"/>). Concurrent
/// units are awaited before the error leaves the interpreter, so no user code runs after the invocation ends.
/// </summary>
internal sealed class ExecutionRun : IDisposable
{
    private readonly Dictionary<string, Operation> _operations;
    private readonly CancellationTokenSource _abort;
    private Exception? _abortCause;
    private readonly object _gate = new();
    private readonly HashSet<string> _unvisited = new(StringComparer.Ordinal);
    private int _operationCount;
    private volatile bool _replaying;

    public ExecutionRun(
        string arn,
        Dictionary<string, Operation> operations,
        CheckpointBatcher batcher,
        DurableRunOptions runOptions,
        WorkflowOptions workflowOptions,
        IRetryStrategy defaultRetry,
        CancellationToken cancellationToken,
        IReadOnlyCollection<string>? updatedSinceLastInvocation = null,
        IServiceProvider? services = null)
    {
        Arn = arn;
        Services = services;
        Invocation = new InvocationInfo(runOptions.RequestId, runOptions.Deadline, runOptions.TimeProvider);
        _operations = operations;
        Batcher = batcher;
        RunOptions = runOptions;
        WorkflowOptions = workflowOptions;
        DefaultRetry = defaultRetry;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Cancellation = _abort.Token;
        _unvisited.EnsureCapacity(operations.Count);
        foreach (var op in operations.Values)
        {
            if (op.Type != OperationType.Execution)
            {
                _operationCount++;
                _unvisited.Add(op.Id);
            }
        }

        _replaying = _operationCount > 0;
        Logger = runOptions.LoggerFactory.CreateLogger("Durable.Fluent.Workflow");
        var plugins = workflowOptions.Plugins.Count == 0 ? runOptions.Plugins : [.. workflowOptions.Plugins, .. runOptions.Plugins];
        var telemetry = Instruments.IsEnabled ? new InvocationTelemetry(arn, runOptions.TimeProvider, _replaying) : null;
        Plugins = PluginHub.Create(plugins, telemetry, runOptions.LoggerFactory.CreateLogger("Durable.Fluent.Plugins"), runOptions.TimeProvider);
        batcher.Time = runOptions.TimeProvider;
        if (runOptions.LingerYieldCap is { } lingerYieldCap)
        {
            batcher.LingerYieldCap = lingerYieldCap;
        }
        Offloader = (runOptions.PayloadOffload ?? workflowOptions.PayloadOffload) is { } offload ? new PayloadOffloader(offload, arn) : null;
        _updatedSinceLastInvocation = updatedSinceLastInvocation is null ? null : new HashSet<string>(updatedSinceLastInvocation, StringComparer.Ordinal);
    }

    private readonly HashSet<string>? _updatedSinceLastInvocation;

    /// <summary>The observers of this run (plugins and telemetry), or null when there are none (the common, zero-cost case).</summary>
    public PluginHub? Plugins { get; }

    /// <summary>
    /// Reports that user code of an operation starts (a step attempt, a poll, a context function) and returns the record
    /// to hand to <see cref="AttemptEnded"/>; null (and no allocation) when nothing observes the run.
    /// </summary>
    public AttemptInfo? AttemptStarted(string id, string? name, OperationType type, string subType, string? parentId, int attempt, bool isReplay, bool replayingChildren = false, bool rebuildsResult = false)
    {
        if (Plugins is not { } hub)
        {
            return null;
        }

        var info = new AttemptInfo
        {
            Id = id,
            Name = name,
            Type = type,
            SubType = subType,
            ParentId = parentId,
            Attempt = attempt,
            IsReplay = isReplay,
            IsReplayingChildren = replayingChildren,
            RebuildsResult = rebuildsResult,
            StartTimestamp = hub.Time.GetUtcNow(),
        };
        hub.AttemptStart(info);
        return info;
    }

    /// <summary>Reports the end of the user code <paramref name="started"/> describes: SUCCEEDED, FAILED, or null when it suspended.</summary>
    public void AttemptEnded(AttemptInfo? started, OperationStatus? outcome, ErrorObject? error = null)
    {
        if (started is not null && Plugins is { } hub)
        {
            hub.AttemptEnd(started with { EndTimestamp = hub.Time.GetUtcNow(), Outcome = outcome, Error = error });
        }
    }

    /// <summary>Reports that a failed attempt of <paramref name="id"/> will be retried after <paramref name="delaySeconds"/>.</summary>
    public void RetryScheduled(string id, string subType, int delaySeconds) => Plugins?.Telemetry?.RetryScheduled(id, subType, delaySeconds);

    /// <summary>Payload offload of this run, or null when it is off.</summary>
    public PayloadOffloader? Offloader { get; }

    /// <summary>A serialized payload on its way to a checkpoint: itself, or a reference when it was offloaded.</summary>
    public ValueTask<string?> OffloadAsync(string? payload, string operationId)
        => Offloader is null ? new ValueTask<string?>(payload) : Offloader.OffloadAsync(payload, operationId, Cancellation);

    /// <summary>A checkpointed payload on its way to a serializer: itself, or the payload a reference points to.</summary>
    public ValueTask<string?> ResolveAsync(string? payload, string operationId, string? name)
        => PayloadReference.IsReference(payload) ? ResolveReferenceAsync(payload!, operationId, name) : new ValueTask<string?>(payload);

    private async ValueTask<string?> ResolveReferenceAsync(string payload, string operationId, string? name)
    {
        var reference = PayloadReference.Parse(payload);
        var what = $"payload of operation '{name ?? operationId}' ({operationId})";
        if (Offloader is null)
        {
            throw new PayloadStoreException(
                $"The {what} was offloaded to payload store '{reference.Store}' (key {reference.Key}), but payload offload is not configured. Set WorkflowOptions.PayloadOffload or DurableRunOptions.PayloadOffload to that store.",
                PayloadStoreException.NotConfigured,
                400);
        }

        return await Offloader.ResolveAsync(reference, what, Cancellation).ConfigureAwait(false);
    }

    /// <summary>The workflow's root chain, for diagnosing a non-deterministic replay (which node a recorded name belongs to).</summary>
    public Definition.Chain? Definition { get; init; }

    /// <summary>A snapshot of every operation known to this invocation, by id.</summary>
    public IReadOnlyDictionary<string, Operation> SnapshotOperations()
    {
        lock (_gate)
        {
            return new Dictionary<string, Operation>(_operations, StringComparer.Ordinal);
        }
    }

    /// <summary>Starts a new operation: ends replay mode, counts it against the limit, and tells plugins.</summary>
    public void BeginNewOperation(string id, string? name, OperationType type, string subType, string? parentId, int? attempt = null)
    {
        EndReplay();
        ReserveOperation(name);
        if (Plugins is { } hub)
        {
            hub.OperationStart(PluginHub.Live(id, name, type, subType, parentId, hub.Time.GetUtcNow(), attempt));
        }
    }

    /// <summary>
    /// Tells plugins about a recorded operation the interpreter reached: an unfinished one is re-announced as a replayed
    /// start; a finished one is announced as ended only if the service finished it since the previous invocation.
    /// </summary>
    public void ObserveRecorded(Operation recorded)
    {
        if (Plugins is null)
        {
            return;
        }

        Plugins.Telemetry?.Replayed();
        if (!recorded.IsTerminal)
        {
            Plugins.OperationStart(OperationInfo.From(recorded, isReplay: true));
        }
        else if (_updatedSinceLastInvocation?.Contains(recorded.Id) == true && AnnounceEnd(recorded.Id))
        {
            Plugins.OperationEnd(OperationInfo.From(recorded, isReplay: true, Plugins.Time.GetUtcNow()));
        }
    }

    private readonly HashSet<string> _announcedEnds = new(StringComparer.Ordinal);

    /// <summary>Whether this is the first time the end of <paramref name="id"/> is announced (branches run concurrently).</summary>
    private bool AnnounceEnd(string id)
    {
        lock (_announcedEnds)
        {
            return _announcedEnds.Add(id);
        }
    }

    public string Arn { get; }

    public CheckpointBatcher Batcher { get; }

    /// <summary>Whether at-least-once step results are passed on while their SUCCEED is in flight (<see cref="CheckpointMode.Pipelined"/>).</summary>
    public bool Pipelined => WorkflowOptions.CheckpointMode == CheckpointMode.Pipelined;

    public DurableRunOptions RunOptions { get; }

    /// <summary>The invocation's service scope (or the host's provider when it has no scopes); null when none was supplied.</summary>
    public IServiceProvider? Services { get; }

    public InvocationInfo Invocation { get; }

    public WorkflowOptions WorkflowOptions { get; }

    public IRetryStrategy DefaultRetry { get; }

    /// <summary>Cancelled when the caller cancels the invocation or the run is aborted by a fatal error.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Whether the invocation is ending: aborted by a fatal error or cancelled by the caller. Nothing new may start.</summary>
    public bool IsAborted => Cancellation.IsCancellationRequested;

    /// <summary>The first fatal error that aborted the run, or null. It is what the invocation reports, whatever the
    /// other units saw afterwards (they see cancellation).</summary>
    public Exception? AbortCause => Volatile.Read(ref _abortCause);

    /// <summary>
    /// Aborts the run because of <paramref name="cause"/> (the first cause wins): the batcher accepts no new updates and
    /// <see cref="Cancellation"/> is cancelled. Idempotent and thread-safe.
    /// </summary>
    public void Abort(Exception cause)
    {
        Interlocked.CompareExchange(ref _abortCause, cause, null);
        Batcher.Seal();
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The invocation already ended.
        }
        catch (AggregateException ex)
        {
            // A body's cancellation callback threw; the abort itself has happened.
            Logger.LogWarning(ex, "A cancellation callback threw while the invocation was aborting.");
        }
    }

    /// <summary>Throws when the run is aborted; called immediately before user code (a step body, a poll) starts.</summary>
    public void ThrowIfAborted()
    {
        if (IsAborted)
        {
            throw new OperationCanceledException("The invocation is ending after a fatal error; no new work starts.", Cancellation);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _abort.Dispose();

    public ILogger Logger { get; }

    /// <summary>The logger of step bodies (category <c>Durable.Fluent.Step</c>), created once per invocation.</summary>
    public ILogger StepLogger => _stepLogger ??= RunOptions.LoggerFactory.CreateLogger("Durable.Fluent.Step");

    private ILogger? _stepLogger;

    public TimeProvider Time => RunOptions.TimeProvider;

    // A built workflow always carries its JSON options (Workflow    public JsonSerializerOptions Json => WorkflowOptions.JsonOptions;lt;TIn, TOut    public JsonSerializerOptions Json => WorkflowOptions.JsonOptions;gt; checks it).
    public JsonSerializerOptions Json => WorkflowOptions.JsonOptions!;

    /// <summary>
    /// True while the interpreter walks operations recorded by earlier invocations: until it has visited every recorded
    /// operation, or does new work (creates an operation or runs a body), whichever comes first.
    /// </summary>
    public bool IsReplaying => _replaying;

    public void EndReplay()
    {
        if (_replaying)
        {
            _replaying = false;
            Plugins?.Telemetry?.ReplayEnded();
        }
    }

    /// <summary>Looks up a recorded operation; finding one counts as visiting it for replay tracking.</summary>
    public Operation? Find(string id)
    {
        lock (_gate)
        {
            if (!_operations.TryGetValue(id, out var op))
            {
                return null;
            }

            if (_unvisited.Remove(id) && _unvisited.Count == 0)
            {
                EndReplay();
            }

            return op;
        }
    }

    public void Merge(IReadOnlyList<Operation> operations)
    {
        List<Operation>? ended = null;
        lock (_gate)
        {
            foreach (var op in operations)
            {
                if (Plugins is not null && op.IsTerminal && op.Type != OperationType.Execution
                    && !(_operations.TryGetValue(op.Id, out var before) && before.IsTerminal))
                {
                    (ended ??= new()).Add(op);
                }

                _operations[op.Id] = op;
            }
        }

        if (Plugins is null)
        {
            return;
        }

        foreach (var op in ended ?? [])
        {
            if (AnnounceEnd(op.Id))
            {
                Plugins.OperationEnd(OperationInfo.From(op, isReplay: false, Plugins.Time.GetUtcNow()));
            }
        }

        if (!Plugins.HasUserPlugins)
        {
            return;
        }

        var delta = operations.ToDictionary(o => o.Id, StringComparer.Ordinal);
        Plugins.OperationChange(new OperationChangeInfo(Arn, delta, SnapshotOperations()));
    }

    /// <summary>Counts a new operation against the per-execution limit.</summary>
    private void ReserveOperation(string? name)
    {
        var count = Interlocked.Increment(ref _operationCount);
        if (count > RunOptions.MaxOperations)
        {
            throw new OperationLimitExceededException(name, RunOptions.MaxOperations);
        }
    }
}

/// <summary>One context scope at run time: the id prefix and counter, the ParentId of its operations, and its input.</summary>
internal sealed class Frame
{
    private int _counter;
    private WorkflowContext? _workflowContext;
    private readonly object _bindGate = new();
    private Dictionary<object, object>? _bindings;

    public Frame(ExecutionRun run, string? idPrefix, string? parentId, object? input, CheckpointLane? lane = null)
    {
        Run = run;
        IdPrefix = idPrefix;
        ParentId = parentId;
        Input = input;
        Lane = lane ?? new CheckpointLane();
    }

    /// <summary>The sequential flow this frame runs in (the root chain, or one map/parallel worker): what it owes the batcher.</summary>
    public CheckpointLane Lane { get; }

    public ExecutionRun Run { get; }

    /// <summary>The prefix of this context's operation ids (the owning operation's id), or null at the root.</summary>
    public string? IdPrefix { get; }

    /// <summary>The ParentId written on this context's operations.</summary>
    public string? ParentId { get; }

    /// <summary>The input of the workflow (or child workflow) this frame runs.</summary>
    public object? Input { get; }

    public string NextId() => OperationIds.Create(IdPrefix, Interlocked.Increment(ref _counter));

    /// <summary>The enclosing frame, or null at the root.</summary>
    public Frame? Parent { get; private init; }

    public WorkflowContext WorkflowContext => _workflowContext ??= new WorkflowContext(Input, new ReplayAwareLogger(Run.Logger, Run, ParentId), Run.Arn, () => Run.IsReplaying) { Frame = this };

    /// <summary>The frame of a child context <paramref name="operationId"/>, run by <paramref name="lane"/> (by default this frame's lane).</summary>
    public Frame Child(string operationId, object? input, CheckpointLane? lane = null) => new(Run, operationId, operationId, input, lane ?? Lane) { Parent = this };

    /// <summary>An update of an operation of this frame (its ParentId is the frame's).</summary>
    public OperationUpdate Update(string id, string? name, OperationType type, string subType, OperationAction action) => new()
    {
        Id = id,
        ParentId = ParentId,
        Name = name,
        Type = type,
        SubType = subType,
        Action = action,
    };

    /// <summary>Binds a run-time value (a callback's id) to a definition-time key (its handle) in this frame.</summary>
    public void Bind(object key, object value)
    {
        lock (_bindGate)
        {
            (_bindings ??= new())[key] = value;
        }
    }

    /// <summary>The value bound to <paramref name="key"/> in this frame or the nearest enclosing one.</summary>
    public object? Lookup(object key)
    {
        for (var f = this; f is not null; f = f.Parent)
        {
            lock (f._bindGate)
            {
                if (f._bindings is not null && f._bindings.TryGetValue(key, out var v))
                {
                    return v;
                }
            }
        }

        return null;
    }
}
