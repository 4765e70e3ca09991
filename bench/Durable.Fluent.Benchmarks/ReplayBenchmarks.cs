using BenchmarkDotNet.Attributes;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Benchmarks;

/// <summary>
/// One handler invocation whose checkpoint log holds <see cref="Ops"/> completed steps: the interpreter replays them all
/// (ids, look-ups, determinism checks, result deserialization), runs one new step, checkpoints it and completes.
/// The store answers from memory, so the figure is the interpreter's own cost.
/// </summary>
[MemoryDiagnoser]
public class ReplayBenchmarks
{
    private Workflow<int, int> _workflow = null!;
    private DurableExecutionInvocationInput _input = null!;
    private DurableRunOptions _options = null!;
    private readonly StubStore _store = new();

    /// <summary>Completed operations in the log (the service quota is 3,000; the new step is one more).</summary>
    [Params(3000)]
    public int Ops { get; set; }

    /// <summary>Builds the workflow and the log once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workflow = Workflows.Sequential(Ops + 1);
        _input = new DurableExecutionInvocationInput
        {
            DurableExecutionArn = "arn:aws:lambda:us-east-1:123456789012:function:bench:$LATEST/durable-execution/replay/0001",
            CheckpointToken = "token-0",
            InitialExecutionState = new ExecutionState { Operations = Workflows.CompletedLog(Ops, DateTimeOffset.UnixEpoch) },
            UpdatedOperationIds = [],
        };

        // The new step is operation Ops + 1: allow it past the 3,000 quota so the log can hold the full 3,000.
        _options = new DurableRunOptions { MaxOperations = Ops + 1 };
    }

    /// <summary>Replays the log and runs one more step.</summary>
    /// <returns>The invocation output.</returns>
    [Benchmark(Description = "replay log + 1 new step")]
    public async Task<DurableExecutionInvocationOutput> ReplayPlusOneStep()
    {
        var output = await _workflow.HandleAsync(_input, _store, _options).ConfigureAwait(false);
        if (output.Status != InvocationStatus.Succeeded || output.Result != (Ops + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"Unexpected output {output.Status} {output.Result}.");
        }

        return output;
    }

    /// <summary>Acknowledges every checkpoint and echoes the updated operations back, like the service.</summary>
    private sealed class StubStore : ICheckpointStore
    {
        public Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
        {
            var ops = new List<Operation>(updates.Count);
            foreach (var u in updates)
            {
                ops.Add(new Operation
                {
                    Id = u.Id,
                    ParentId = u.ParentId,
                    Name = u.Name,
                    Type = u.Type,
                    SubType = u.SubType,
                    Status = u.Action == OperationAction.Start ? OperationStatus.Started : OperationStatus.Succeeded,
                    StepDetails = u.Type == OperationType.Step ? new StepDetails { Attempt = 1, Result = u.Payload } : null,
                });
            }

            return Task.FromResult(new CheckpointResult("token-1", new ExecutionState { Operations = ops }));
        }

        public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
            => Task.FromResult(new ExecutionState { Operations = [] });
    }
}
