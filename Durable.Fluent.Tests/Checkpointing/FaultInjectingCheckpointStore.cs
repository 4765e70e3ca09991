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
/// An <see cref="ICheckpointStore"/> decorator for crash injection: it counts every call (checkpoints and state reads, from
/// 1, across all invocations) and fails the call number <c>failCall</c> with <c>fault</c>. With <c>afterApply</c> the
/// inner store (the service) has applied the call before the fault is raised — the response is lost, not the request.
/// It also records which operations the service has accepted a SUCCEED for, so a test can check that no body of such an
/// operation runs again. Reusable over any store (the in-memory engine, the local service's HTTP client).
/// </summary>
public sealed class FaultInjectingCheckpointStore(ICheckpointStore inner, int failCall, CheckpointFault fault, bool afterApply) : ICheckpointStore
{
    private readonly object _gate = new();
    private readonly HashSet<string> _appliedSucceeds = new(StringComparer.Ordinal);
    private int _calls;
    private bool _dead;

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
        }
    }

    /// <inheritdoc />
    public async Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
    {
        if (Asynchronous)
        {
            await Task.Yield();
        }

        var inject = Enter();
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
        var inject = Enter();
        if (inject && !afterApply)
        {
            throw Fault();
        }

        var page = await inner.GetStateAsync(durableExecutionArn, checkpointToken, marker, cancellationToken).ConfigureAwait(false);
        return inject ? throw Fault() : page;
    }

    /// <summary>Counts the call; throws if the process is dead; true when this call gets the fault.</summary>
    private bool Enter()
    {
        var n = Interlocked.Increment(ref _calls);
        lock (_gate)
        {
            if (_dead)
            {
                throw new SimulatedCrashException($"Call {n} was made after the process died.");
            }

            if (n != failCall)
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

    private Exception Fault() => fault switch
    {
        CheckpointFault.NetworkError => new IOException($"Injected fault: connection reset during call {failCall}."),
        CheckpointFault.ServerError => new CheckpointException($"Injected fault: service unavailable on call {failCall}.", "ServiceException", 503),
        _ => new SimulatedCrashException($"Injected fault: the process exited during call {failCall}."),
    };
}
