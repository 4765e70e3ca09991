using Durable.Fluent.Checkpointing;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Checkpointing;

/// <summary>The fault a <see cref="FaultInjectingCheckpointStore"/> injects.</summary>
public enum CheckpointFault
{
    /// <summary>The call throws an exception the port does not classify (a reset connection).</summary>
    NetworkError,

    /// <summary>The call answers a retryable 503 <see cref="CheckpointException"/>.</summary>
    ServerError,

    /// <summary>
    /// The process dies during the call (<see cref="SimulatedCrashException"/>): this and every later call of the same
    /// invocation fail without reaching the service, until <see cref="FaultInjectingCheckpointStore.BeginInvocation"/>.
    /// </summary>
    ProcessExit,
}

/// <summary>
/// Where a <see cref="FaultInjectingCheckpointStore"/> injects its fault, named by what the call carries rather than by its
/// number: concurrent lanes share requests in a grouping that varies from run to run (group commit, background sends), but
/// the updates a fault-free run sends, and the state reads each invocation makes, are the same every time.
/// </summary>
public abstract record FaultPosition
{
    /// <summary>The checkpoint call that carries the <paramref name="Occurrence"/>-th (1, 2, ...) <paramref name="Action"/> of <paramref name="OperationId"/>.</summary>
    public sealed record Carrying(string OperationId, OperationAction Action, int Occurrence) : FaultPosition
    {
        /// <inheritdoc />
        public override string ToString() => $"the call carrying {Action} #{Occurrence} of {OperationId}";
    }

    /// <summary>The <paramref name="Index"/>-th (1, 2, ...) state read of invocation <paramref name="Invocation"/> (1, 2, ...).</summary>
    public sealed record StateRead(int Invocation, int Index) : FaultPosition
    {
        /// <inheritdoc />
        public override string ToString() => $"state read {Index} of invocation {Invocation}";
    }
}

/// <summary>
/// An <see cref="ICheckpointStore"/> decorator for crash injection: it counts every call (checkpoints and state reads, from
/// 1, across all invocations) and fails the call number <c>failCall</c> with <c>fault</c>. With <c>afterApply</c> the
/// inner store (the service) has applied the call before the fault is raised — the response is lost, not the request.
/// It also records which operations the service has accepted a SUCCEED for, so a test can check that no body of such an
/// operation runs again. Reusable over any store (the in-memory engine, the local service's HTTP client). Instead of a call
/// number, <see cref="FailAt"/> names the call by what it carries; a fault-free run records the position of each of its calls
/// (<see cref="Positions"/>), so a sweep can fault every one of them deterministically.
/// </summary>
public sealed class FaultInjectingCheckpointStore(ICheckpointStore inner, int failCall, CheckpointFault fault, bool afterApply) : ICheckpointStore
{
    private readonly object _gate = new();
    private readonly HashSet<string> _appliedSucceeds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Id, OperationAction Action), int> _sent = new();
    private readonly List<FaultPosition> _positions = new();
    private readonly List<FaultPosition> _everyPosition = new();
    private int _calls;
    private int _invocation;
    private int _reads;
    private bool _dead;

    /// <summary>The call that gets the fault, named by what it carries (instead of <c>failCall</c>); null: none.</summary>
    public FaultPosition? FailAt { get; init; }

    /// <summary>
    /// Every position the calls that reached the store cover, in order: each update of each checkpoint call, and each state
    /// read. Faulting each of them faults every request of any grouping of the same updates (each request carries one).
    /// </summary>
    public IReadOnlyList<FaultPosition> EveryPosition
    {
        get
        {
            lock (_gate)
            {
                return _everyPosition.ToList();
            }
        }
    }

    /// <summary>The position of every call that reached the store, in order: a checkpoint call is named by its first update.</summary>
    public IReadOnlyList<FaultPosition> Positions
    {
        get
        {
            lock (_gate)
            {
                return _positions.ToList();
            }
        }
    }

    /// <summary>When set, every call yields before it reaches the inner store, so it completes asynchronously, as over a network.</summary>
    public bool Asynchronous { get; init; }

    /// <summary>Calls made so far (including the failed one and calls refused after a process exit).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Whether the fault was injected (the run made at least <c>failCall</c> calls).</summary>
    public bool Injected { get; private set; }

    /// <summary>Whether <paramref name="operationId"/> has a SUCCEED the service accepted.</summary>
    public bool SucceedApplied(string operationId)
    {
        lock (_gate)
        {
            return _appliedSucceeds.Contains(operationId);
        }
    }

    /// <summary>A new invocation (a new process, for <see cref="CheckpointFault.ProcessExit"/>) begins.</summary>
    public void BeginInvocation()
    {
        lock (_gate)
        {
            _dead = false;
            _invocation++;
            _reads = 0;
        }
    }

    /// <inheritdoc />
    public async Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
    {
        if (Asynchronous)
        {
            await Task.Yield();
        }

        var inject = Enter(updates);
        if (inject && !afterApply)
        {
            throw Fault();
        }

        var result = await inner.CheckpointAsync(durableExecutionArn, checkpointToken, updates, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var u in updates)
            {
                if (u.Action == OperationAction.Succeed)
                {
                    _appliedSucceeds.Add(u.Id);
                }
            }
        }

        return inject ? throw Fault() : result;
    }

    /// <inheritdoc />
    public async Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
    {
        var inject = Enter(null);
        if (inject && !afterApply)
        {
            throw Fault();
        }

        var page = await inner.GetStateAsync(durableExecutionArn, checkpointToken, marker, cancellationToken).ConfigureAwait(false);
        return inject ? throw Fault() : page;
    }

    /// <summary>Counts the call (a state read when <paramref name="updates"/> is null); throws if the process is dead; true when this call gets the fault.</summary>
    private bool Enter(IReadOnlyList<OperationUpdate>? updates)
    {
        var n = Interlocked.Increment(ref _calls);
        lock (_gate)
        {
            if (_dead)
            {
                throw new SimulatedCrashException($"Call {n} was made after the process died.");
            }

            var hit = n == failCall;
            if (updates is null)
            {
                var read = new FaultPosition.StateRead(_invocation, ++_reads);
                _positions.Add(read);
                _everyPosition.Add(read);
                hit |= read == FailAt;
            }
            else
            {
                for (var i = 0; i < updates.Count; i++)
                {
                    var key = (updates[i].Id, updates[i].Action);
                    var carried = new FaultPosition.Carrying(key.Id, key.Action, _sent[key] = _sent.GetValueOrDefault(key) + 1);
                    _everyPosition.Add(carried);
                    if (i == 0)
                    {
                        _positions.Add(carried);
                    }

                    hit |= carried == FailAt;
                }
            }

            if (!hit || Injected)
            {
                return false;
            }

            Injected = true;
            if (fault == CheckpointFault.ProcessExit)
            {
                _dead = true;
            }

            return true;
        }
    }

    private Exception Fault()
    {
        var where = FailAt?.ToString() ?? $"call {failCall}";
        return fault switch
        {
            CheckpointFault.NetworkError => new IOException($"Injected fault: connection reset during {where}."),
            CheckpointFault.ServerError => new CheckpointException($"Injected fault: service unavailable on {where}.", "ServiceException", 503),
            _ => new SimulatedCrashException($"Injected fault: the process exited during {where}."),
        };
    }
}
