using Durable.Fluent.Checkpointing;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Interpretation;

/// <summary>
/// What each checkpoint request carries in synchronous mode: an at-least-once step's START rides with the step's own
/// SUCCEED (as the JS SDK's does for a quick body), so each response reports one operation, not the finished step plus the
/// next one's STARTED record — fewer bytes each way, the same number of requests, and no body starts before the previous
/// result is durable.
/// </summary>
public class CheckpointCompositionTests
{
    private static Workflow<int, int> Steps(int count, StepSemantics semantics)
    {
        var b = Workflow.For<int>().Then("s0", (v, _) => v + 1, step => step.WithSemantics(semantics));
        for (var i = 1; i < count; i++)
        {
            b = b.Then($"s{i}", (v, _) => v + 1, step => step.WithSemantics(semantics));
        }

        return b.Build();
    }

    private static async Task<(DurableExecutionInvocationOutput Output, RecordingStore Store)> RunAsync(Workflow<int, int> workflow)
    {
        var engine = new LocalDurableEngine(new VirtualClock());
        var arn = engine.StartExecution(new StartExecutionRequest { InputPayload = "0" });
        var store = new RecordingStore(new InMemoryCheckpointStore(engine));
        var output = await workflow.HandleAsync(engine.BeginInvocation(arn), store);
        return (output, store);
    }

    [Test]
    public async Task An_at_least_once_steps_start_rides_with_its_own_succeed_and_each_response_reports_one_operation()
    {
        var (output, store) = await RunAsync(Steps(5, StepSemantics.AtLeastOncePerRetry));

        Assert.That(output.Result, Is.EqualTo("5"));
        var requests = store.Requests.Select(r => string.Join(",", r.Updates.Select(u => $"{u.Name}:{u.Action}"))).ToList();
        Assert.That(requests, Is.EqualTo(new[]
        {
            "s0:Start,s0:Succeed",
            "s1:Start,s1:Succeed",
            "s2:Start,s2:Succeed",
            "s3:Start,s3:Succeed",
            "s4:Start,s4:Succeed",
        }));
        Assert.That(store.Requests.Select(r => r.Reported), Is.All.EqualTo(1), "one operation back per step");
    }

    [Test]
    public async Task An_at_most_once_steps_start_is_still_acknowledged_before_its_body_runs()
    {
        var (_, store) = await RunAsync(Steps(2, StepSemantics.AtMostOncePerRetry));

        var requests = store.Requests.Select(r => string.Join(",", r.Updates.Select(u => $"{u.Name}:{u.Action}"))).ToList();
        Assert.That(requests, Is.EqualTo(new[] { "s0:Start", "s0:Succeed,s1:Start", "s1:Succeed" }));
    }

    /// <summary>Records each request's updates and how many operations its response reported.</summary>
    private sealed class RecordingStore(ICheckpointStore inner) : ICheckpointStore
    {
        private readonly List<(IReadOnlyList<OperationUpdate> Updates, int Reported)> _requests = new();

        public IReadOnlyList<(IReadOnlyList<OperationUpdate> Updates, int Reported)> Requests
        {
            get
            {
                lock (_requests)
                {
                    return _requests.ToList();
                }
            }
        }

        public async Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
        {
            var result = await inner.CheckpointAsync(durableExecutionArn, checkpointToken, updates, cancellationToken);
            lock (_requests)
            {
                _requests.Add((updates.ToList(), result.NewExecutionState.Operations?.Count ?? 0));
            }

            return result;
        }

        public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
            => inner.GetStateAsync(durableExecutionArn, checkpointToken, marker, cancellationToken);
    }
}
