using System.Collections.Concurrent;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Interpretation;

/// <summary>
/// Issue 10, defect 3: when one unit of a map or parallel fails fatally (a checkpoint call answers 5xx), no user code may
/// start after the invocation ended, and the invocation does not end while a body is still running: running bodies are
/// cancelled through their token and awaited.
/// </summary>
public class OrphanedWorkTests
{
    private const string Arn = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/e/abc";

    /// <summary>
    /// Upper bound on how long a test body waits, after the checkpoint failure, for a signal that a correct implementation
    /// never sends. Counted from the failure (not from an earlier point that a busy machine may take long to get past), so
    /// the implementation has only the failing request's own synchronous completion to record the failure in.
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound on a wait for a signal that always comes (only a hang would reach it).</summary>
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private static DurableExecutionInvocationInput Envelope(string input) => new()
    {
        DurableExecutionArn = Arn,
        CheckpointToken = "t0",
        InitialExecutionState = new ExecutionState
        {
            Operations = [new Operation { Id = "abc", Type = OperationType.Execution, Status = OperationStatus.Started, ExecutionDetails = new ExecutionDetails { InputPayload = input } }],
        },
    };

    [TestCase(false)]
    [TestCase(true)]
    public async Task No_step_body_starts_after_a_fatal_checkpoint_error_ended_the_invocation(bool parallel)
    {
        var log = new ConcurrentQueue<string>();
        var secondUnitClaimed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var invocationEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new FailingStore(updates => updates.Any(u => u is { Type: OperationType.Step, Action: OperationAction.Succeed, Payload: "0" }));

        // Unit 0's body returns only once the worker of unit 1 has claimed unit 2 (blocked in unit 2's first node until the
        // checkpoint has failed, then until the invocation has ended — which an implementation that awaits its workers never
        // signals while this one is held, hence Patience). Then unit 0's SUCCEED checkpoint fails with a 503.
        Func<WorkflowBuilder<int[], int>, WorkflowBuilder<int[], int>> item = b => b
            .Select(x =>
            {
                if (x == 2)
                {
                    secondUnitClaimed.TrySetResult();
                    store.Failed.Wait(Generous);
                    invocationEnded.Task.Wait(Patience);
                }

                return x;
            })
            .Then("work", async (int x, StepContext<int[]> ctx, CancellationToken ct) =>
            {
                log.Enqueue($"start {x}" + (invocationEnded.Task.IsCompleted ? " after the invocation ended" : string.Empty));
                if (x == 0)
                {
                    await secondUnitClaimed.Task.WaitAsync(Generous, CancellationToken.None).ConfigureAwait(false);
                }

                return x;
            });
        var wf = parallel
            ? Workflow.For<int[]>()
                .Parallel("fan", p => p.Branch("b0", b => item(b.Select(_ => 0))).Branch("b1", b => item(b.Select(_ => 1))).Branch("b2", b => item(b.Select(_ => 2))), c => c.MaxConcurrency(2))
                .Select(r => r.Batch.SuccessCount)
                .Build()
            : Workflow.For<int[]>()
                .Map("fan", xs => xs, item, m => m.MaxConcurrency(2))
                .Select(r => r.SuccessCount)
                .Build();

        var ex = Assert.ThrowsAsync<CheckpointException>(() => wf.HandleAsync(Envelope("[0,1,2]"), store));
        invocationEnded.TrySetResult();
        Assert.That(ex!.StatusCode, Is.EqualTo(503), "the checkpoint error itself escapes, so Lambda retries the invocation");

        // Give an orphaned worker (if any) the chance to start unit 2's body.
        await Task.Delay(200).ConfigureAwait(false);
        Assert.That(log, Has.None.Contains("after the invocation ended"));
        Assert.That(log, Has.None.EqualTo("start 2"), "the unit claimed before the failure must not start its step once the invocation is doomed");
    }

    [Test]
    public async Task A_body_running_when_a_sibling_fails_is_cancelled_and_awaited_before_the_invocation_ends()
    {
        var log = new ConcurrentQueue<string>();
        var bodyOneRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var invocationEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wf = Workflow.For<int[]>()
            .Map("fan", xs => xs, item => item.Then("work", async (int x, StepContext<int[]> ctx, CancellationToken ct) =>
            {
                if (x == 0)
                {
                    await bodyOneRunning.Task.WaitAsync(Generous, CancellationToken.None).ConfigureAwait(false);
                    return x;
                }

                bodyOneRunning.TrySetResult();
                var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (ct.Register(() => cancelled.TrySetResult()))
                {
                    // A correct implementation cancels at once; Generous only bounds the hang of one that neither cancels
                    // nor ends the invocation (it then logs "not cancelled" and fails the test).
                    await Task.WhenAny(cancelled.Task, invocationEnded.Task, Task.Delay(Generous, CancellationToken.None)).ConfigureAwait(false);
                }

                log.Enqueue(ct.IsCancellationRequested ? "cancelled" : "not cancelled");
                log.Enqueue(invocationEnded.Task.IsCompleted ? "ended after the invocation" : "ended before the invocation");
                return x;
            }), m => m.MaxConcurrency(2))
            .Select(r => r.SuccessCount)
            .Build();

        var store = new FailingStore(updates => updates.Any(u => u is { Type: OperationType.Step, Action: OperationAction.Succeed, Payload: "0" }));
        Assert.ThrowsAsync<CheckpointException>(() => wf.HandleAsync(Envelope("[0,1]"), store));
        invocationEnded.TrySetResult();
        await Task.Delay(200).ConfigureAwait(false);

        Assert.That(log, Is.EqualTo(new[] { "cancelled", "ended before the invocation" }));
    }

    /// <summary>Fails (503) the first checkpoint request that matches; acknowledges the others.</summary>
    private sealed class FailingStore(Func<IReadOnlyList<OperationUpdate>, bool> fail) : ICheckpointStore
    {
        private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _n;

        /// <summary>Completes when the store answers its failing request (the answer is returned right after).</summary>
        public Task Failed => _failed.Task;

        public Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
        {
            if (!fail(updates))
            {
                return Task.FromResult(new CheckpointResult($"t{Interlocked.Increment(ref _n)}", new ExecutionState { Operations = [] }));
            }

            _failed.TrySetResult();
            return Task.FromException<CheckpointResult>(new CheckpointException("Service unavailable", "ServiceException", 503));
        }

        public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
            => Task.FromResult(new ExecutionState { Operations = [] });
    }
}
