using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Checkpointing;

/// <summary>
/// An <see cref="ICheckpointStore"/> decorator with a fixed round trip (the inner store applies a request when its delay has
/// passed), recording every request: how many, how many are in flight, which updates each carried, and which operations have
/// a SUCCEED the service accepted. For request-count and ordering tests of the batcher over a network-like store.
/// </summary>
public sealed class LatencyStore(ICheckpointStore inner, TimeSpan latency) : ICheckpointStore
{
    private readonly object _gate = new();
    private readonly List<IReadOnlyList<OperationUpdate>> _requests = new();
    private readonly HashSet<string> _accepted = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _acceptedStepSucceeds;

    /// <summary>CheckpointDurableExecution requests made so far.</summary>
    public int Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.Count;
            }
        }
    }

    /// <summary>The updates of each request, in the order the requests were made.</summary>
    public IReadOnlyList<IReadOnlyList<OperationUpdate>> Log
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToList();
            }
        }
    }

    /// <summary>
    /// When set, every request is also held until this task completes (after the round trip): a test that must observe a
    /// request still in flight holds it there instead of hoping its body runs within the round trip on a loaded machine.
    /// </summary>
    public Task? Hold { get; set; }

    /// <summary>Requests not answered yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Step SUCCEEDs the service accepted.</summary>
    public int AcceptedStepSucceeds => Volatile.Read(ref _acceptedStepSucceeds);

    /// <summary>Whether the service accepted a SUCCEED of <paramref name="operationId"/>.</summary>
    public bool SucceedAccepted(string operationId)
    {
        lock (_gate)
        {
            return _accepted.Contains(operationId);
        }
    }

    /// <inheritdoc />
    public async Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _requests.Add(updates.ToList());
        }

        Interlocked.Increment(ref _inFlight);
        try
        {
            await Task.Delay(latency, cancellationToken);
            if (Hold is { } hold)
            {
                await hold.WaitAsync(cancellationToken);
            }

            var result = await inner.CheckpointAsync(durableExecutionArn, checkpointToken, updates, cancellationToken);
            lock (_gate)
            {
                foreach (var u in updates.Where(u => u.Action == OperationAction.Succeed))
                {
                    _accepted.Add(u.Id);
                }
            }

            Interlocked.Add(ref _acceptedStepSucceeds, updates.Count(u => u is { Type: OperationType.Step, Action: OperationAction.Succeed }));
            return result;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <inheritdoc />
    public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
        => inner.GetStateAsync(durableExecutionArn, checkpointToken, marker, cancellationToken);
}
