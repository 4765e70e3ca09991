using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.Checkpointing;

/// <summary>
/// The batcher's contract, against a store whose requests the test answers one by one: queued, synchronous, deferred
/// (owed by a lane) and pipelined updates; order; group commit; the pipeline window; failure, cancellation, sealing, draining.
/// </summary>
[TestFixture]
public sealed class CheckpointBatcherTests
{
    private static OperationUpdate U(string id, OperationAction action = OperationAction.Succeed) => new() { Id = id, Type = OperationType.Step, Action = action };

    private static CheckpointBatcher Batcher(GatedStore store, int window = 32, Action<Exception>? onFailure = null)
        => new(store, "arn", "t0", _ => { }, onFailure) { PipelineWindow = window };

    [Test]
    public async Task A_deferred_update_rides_with_the_lanes_next_checkpoint()
    {
        var store = new GatedStore(autoAnswer: true);
        var batcher = Batcher(store);
        var lane = new CheckpointLane();

        batcher.Defer(lane, U("a"));
        batcher.Enqueue(U("b", OperationAction.Start));
        Assert.That(store.Requests, Is.Empty, "nothing is sent when a result is passed on");

        await batcher.SettleAsync(lane, CancellationToken.None);

        Assert.That(store.Requests.Select(r => string.Join(",", r.Select(u => u.Id))), Is.EqualTo(new[] { "a,b" }));
        await batcher.SettleAsync(lane, CancellationToken.None);
        Assert.That(store.Requests, Has.Count.EqualTo(1), "a settled lane owes nothing");
    }

    [Test]
    public async Task A_soon_update_waits_for_the_next_request_and_rides_with_it()
    {
        var store = new GatedStore(autoAnswer: true);
        var clock = new FakeTimeProvider();
        var batcher = Batcher(store);
        batcher.Time = clock;
        var lane = new CheckpointLane();

        batcher.EnqueueSoon(U("s", OperationAction.Start), TimeSpan.FromMilliseconds(100));
        clock.Advance(TimeSpan.FromMilliseconds(99));
        batcher.Defer(lane, U("s"));
        await batcher.SettleAsync(lane, CancellationToken.None);

        Assert.That(store.Requests.Select(r => string.Join(",", r.Select(u => $"{u.Id}:{u.Action}"))), Is.EqualTo(new[] { "s:Start,s:Succeed" }));
        clock.Advance(TimeSpan.FromSeconds(1));
        await batcher.DrainAsync();
        Assert.That(store.Requests, Has.Count.EqualTo(1), "the timer finds nothing left to send");
    }

    [Test]
    public async Task A_soon_update_nobody_carries_is_sent_in_the_background_when_its_delay_has_passed()
    {
        var store = new GatedStore(autoAnswer: true);
        var clock = new FakeTimeProvider();
        var batcher = Batcher(store);
        batcher.Time = clock;

        batcher.EnqueueSoon(U("long", OperationAction.Start), TimeSpan.FromMilliseconds(100));
        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.That(store.Requests, Is.Empty, "a quick body's START waits for its SUCCEED");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await store.WaitForRequestsAsync(1);

        Assert.That(store.Requests.Single().Select(u => u.Id), Is.EqualTo(new[] { "long" }));

        // The timer re-arms for the next soon update.
        batcher.EnqueueSoon(U("next", OperationAction.Start), TimeSpan.FromMilliseconds(100));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await store.WaitForRequestsAsync(2);
        Assert.That(store.Requests[1].Select(u => u.Id), Is.EqualTo(new[] { "next" }));
        await batcher.DrainAsync();
    }

    [Test]
    public async Task A_forked_lane_owes_what_its_parent_owed()
    {
        var store = new GatedStore(autoAnswer: true);
        var batcher = Batcher(store);
        var parent = new CheckpointLane();
        batcher.Defer(parent, U("before-the-map"));

        var worker = new CheckpointLane(parent);
        await batcher.SettleAsync(worker, CancellationToken.None);

        Assert.That(store.Requests.Single().Single().Id, Is.EqualTo("before-the-map"), "a worker's first body runs on a durable value");
    }

    [Test]
    public async Task A_synchronous_checkpoint_returns_only_when_its_request_is_answered()
    {
        var store = new GatedStore();
        var batcher = Batcher(store);

        var first = batcher.CheckpointAsync(U("a"), CancellationToken.None);
        await store.WaitForRequestsAsync(1);
        var second = batcher.CheckpointAsync(U("b"), CancellationToken.None);
        Assert.That((first.IsCompleted, second.IsCompleted), Is.EqualTo((false, false)));

        store.Answer();
        await first;
        Assert.That(second.IsCompleted, Is.False, "b was queued while a's request was in flight: it needs its own request");
        await store.WaitForRequestsAsync(2);
        store.Answer();
        await second;
        Assert.That(store.Requests.Select(r => r.Single().Id), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task Lanes_that_wait_behind_a_request_in_flight_share_the_next_one()
    {
        var store = new GatedStore();
        var batcher = Batcher(store);
        batcher.Fork(4);

        var first = batcher.CheckpointAsync(U("w0"), CancellationToken.None);
        await store.WaitForRequestsAsync(1);
        var rest = Enumerable.Range(1, 3).Select(i => batcher.CheckpointAsync(U($"w{i}"), CancellationToken.None)).ToArray();
        store.Answer();
        await first;
        await store.WaitForRequestsAsync(2);
        store.Answer();
        await Task.WhenAll(rest);

        Assert.That(store.Requests.Select(r => r.Count), Is.EqualTo(new[] { 1, 3 }), "group commit: the three waiting lanes go together");
    }

    [Test]
    public async Task A_sending_lane_waits_for_running_siblings_to_join()
    {
        var store = new GatedStore(autoAnswer: true);
        var batcher = Batcher(store);
        // A clock that does not move and no yield cap: the 20 ms linger limit never passes, so the first lane yields until
        // the siblings join however slowly a loaded machine starts their threads (with the default cap of 4,096 yields a
        // busy CI machine ran out of yields first). The rule under test is the joining, not the 20 ms.
        batcher.Time = new FakeTimeProvider();
        batcher.LingerYieldCap = int.MaxValue;
        batcher.Fork(3); // three workers run; the forking lane is parked

        var lanes = Enumerable.Range(0, 3).Select(i => Task.Run(() => batcher.CheckpointAsync(U($"w{i}"), CancellationToken.None))).ToArray();
        await Task.WhenAll(lanes);

        Assert.That(store.Requests, Has.Count.EqualTo(1), "the first lane yielded until its siblings (in the interpreter) joined");
    }

    [Test]
    public async Task Pipelined_updates_go_in_the_background_and_the_window_holds_the_lane()
    {
        var store = new GatedStore();
        var batcher = Batcher(store, window: 2);

        var a = batcher.PipelineAsync(U("a"), CancellationToken.None);
        Assert.That(a.IsCompleted, Is.True, "a pipelined result is passed on at once");
        await store.WaitForRequestsAsync(1);
        var b = batcher.PipelineAsync(U("b"), CancellationToken.None);
        var c = batcher.PipelineAsync(U("c"), CancellationToken.None);
        Assert.That(b.IsCompleted, Is.True, "two unacknowledged: within the window");
        Assert.That(c.IsCompleted, Is.False, "a third would exceed the window of 2: the lane waits for the oldest");

        store.Answer();
        await c;
        await store.WaitForRequestsAsync(2);
        Assert.That(store.Requests[1].Select(u => u.Id), Is.EqualTo(new[] { "b", "c" }), "the background sender carries everything queued meanwhile");
        store.Answer();
        await batcher.FlushAsync(CancellationToken.None);
        Assert.That(store.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_failed_request_fails_every_waiter_and_every_later_flush()
    {
        var store = new GatedStore();
        var failures = new List<Exception>();
        var batcher = Batcher(store, onFailure: failures.Add);
        var lane = new CheckpointLane();

        var first = batcher.CheckpointAsync(U("a"), CancellationToken.None);
        await store.WaitForRequestsAsync(1);
        var waiting = batcher.CheckpointAsync(U("b"), CancellationToken.None);
        batcher.Defer(lane, U("c"));
        var boom = new CheckpointException("Service unavailable", "ServiceException", 503);
        store.Fail(boom);

        Assert.That(Assert.ThrowsAsync<CheckpointException>(() => first), Is.SameAs(boom));
        Assert.That(Assert.ThrowsAsync<CheckpointException>(() => waiting), Is.SameAs(boom), "b went down with the token chain");
        Assert.That(Assert.ThrowsAsync<CheckpointException>(() => batcher.SettleAsync(lane, CancellationToken.None)), Is.SameAs(boom), "a lane that owes an update can never settle");
        Assert.That(batcher.Failure, Is.SameAs(boom));
        Assert.That(failures, Is.EqualTo(new[] { boom }), "reported once, at once");
        Assert.That(store.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_cancelled_lane_gives_up_before_sending_without_poisoning_the_batcher()
    {
        var store = new GatedStore(autoAnswer: true);
        var batcher = Batcher(store);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.That(async () => await batcher.CheckpointAsync(U("a"), cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That((batcher.Failure, store.Requests.Count), Is.EqualTo(((Exception?)null, 0)));

        // What was queued still reaches the service with the next flush (the crash path flushes with no token).
        await batcher.FlushAsync(CancellationToken.None);
        Assert.That(store.Requests.Single().Single().Id, Is.EqualTo("a"));
    }

    [Test]
    public void A_sealed_batcher_queues_nothing()
    {
        var batcher = Batcher(new GatedStore(autoAnswer: true));
        batcher.Seal();
        var ex = Assert.Throws<OperationCanceledException>(() => batcher.Enqueue(U("late")));
        Assert.That(ex!.Message, Does.Contain("late").And.Contain("not checkpointed"));
    }

    [Test]
    public async Task Draining_waits_for_the_background_request_and_closes_the_batcher()
    {
        var store = new GatedStore();
        var batcher = Batcher(store);
        _ = batcher.PipelineAsync(U("a"), CancellationToken.None);
        await store.WaitForRequestsAsync(1);

        var drained = batcher.DrainAsync();
        Assert.That(drained.IsCompleted, Is.False, "a request in flight is awaited, not abandoned");
        store.Answer();
        await drained;

        _ = batcher.PipelineAsync(U("b"), CancellationToken.None);
        await Task.Delay(50);
        Assert.That(store.Requests, Has.Count.EqualTo(1), "a closed batcher starts no background request");
    }

    [Test]
    public async Task A_response_without_a_token_ends_checkpointing()
    {
        var store = new GatedStore(autoAnswer: true) { TerminalAfter = 1 };
        var batcher = Batcher(store);

        await batcher.CheckpointAsync(U("a"), CancellationToken.None);
        await batcher.CheckpointAsync(U("orphan"), CancellationToken.None);

        Assert.That(batcher.ExecutionTerminal, Is.True);
        Assert.That(store.Requests, Has.Count.EqualTo(1), "the service accepts nothing after the execution ended");
    }

    [Test]
    public async Task A_request_on_its_way_is_awaited_when_the_sending_lane_is_cancelled()
    {
        // The run's abort switch (a sibling's fatal error) must not abandon a request already sent: the service may have
        // applied it, so its token would be lost and the updates it carried (other lanes' too) would never be known durable.
        var store = new GatedStore { HonorsCancellation = true };
        var batcher = Batcher(store);
        using var abort = new CancellationTokenSource();

        var first = batcher.CheckpointAsync(U("a"), abort.Token);
        await store.WaitForRequestsAsync(1);
        await abort.CancelAsync();
        store.Answer();
        await first;

        Assert.That(batcher.Failure, Is.Null, "the request was answered: nothing failed");
        var next = batcher.CheckpointAsync(U("b"), CancellationToken.None);
        await store.WaitForRequestsAsync(2);
        store.Answer();
        await next;
        Assert.That(store.Tokens, Is.EqualTo(new[] { "t0", "t1" }), "the token of the awaited response is used next");
    }

    [Test]
    public async Task Every_request_carries_the_token_of_the_previous_response_whoever_sends_it()
    {
        var store = new GatedStore();
        var batcher = Batcher(store, window: 1);

        // The background sender, a lane that waits behind it, the window holding a lane, and a lane handed the role.
        _ = batcher.PipelineAsync(U("p1"), CancellationToken.None);
        await store.WaitForRequestsAsync(1);
        var held = batcher.PipelineAsync(U("p2"), CancellationToken.None);
        var sync = batcher.CheckpointAsync(U("s1", OperationAction.Start), CancellationToken.None);
        store.Answer();
        await held;
        await store.WaitForRequestsAsync(2);
        var late = batcher.CheckpointAsync(U("s2", OperationAction.Start), CancellationToken.None);
        store.Answer();
        await sync;
        await store.WaitForRequestsAsync(3);
        store.Answer();
        await late;
        var byLane = batcher.CheckpointAsync(U("s3", OperationAction.Start), CancellationToken.None);
        await store.WaitForRequestsAsync(4);
        store.Answer();
        await byLane;

        Assert.That(store.Requests.SelectMany(r => r.Select(u => u.Id)), Is.EqualTo(new[] { "p1", "p2", "s1", "s2", "s3" }), "in order, each once");
        Assert.That(store.Tokens, Is.EqualTo(Enumerable.Range(0, store.Requests.Count).Select(i => $"t{i}")));
    }

    [Test]
    public async Task A_group_commit_is_split_against_the_token_each_request_carries()
    {
        // The service may answer a longer token (up to 2,048 characters) than the one a group commit was sized with: the
        // second request of a split must still fit with the token it really carries.
        var longToken = new string('T', 2048);
        var store = new GatedStore(autoAnswer: true) { TokenOf = _ => longToken };
        var batcher = Batcher(store);
        var limit = CheckpointBatchLimits.MaxRequestBytes - CheckpointBatchLimits.RequestOverheadBytes - "t0".Length;
        var overhead = CheckpointBatchLimits.EstimateSize(Sized("p", 0));
        var a = Sized("a", limit - overhead - 10);                 // alone: b cannot join it
        var b = Sized("b", (limit / 2) - overhead);
        var c = Sized("c", limit - CheckpointBatchLimits.EstimateSize(b) - overhead); // b + c fill a request with a 2-character token
        Assert.That(CheckpointBatchLimits.EstimateSize(b) + CheckpointBatchLimits.EstimateSize(c), Is.EqualTo(limit));

        batcher.Enqueue(a);
        batcher.Enqueue(b);
        batcher.Enqueue(c);
        await batcher.FlushAsync(CancellationToken.None);

        var requests = store.Requests;
        Assert.That(requests.SelectMany(r => r.Select(u => u.Id)), Is.EqualTo(new[] { "a", "b", "c" }));
        for (var i = 0; i < requests.Count; i++)
        {
            var size = requests[i].Sum(CheckpointBatchLimits.EstimateSize) + store.Tokens[i].Length + CheckpointBatchLimits.RequestOverheadBytes;
            Assert.That(size, Is.LessThanOrEqualTo(CheckpointBatchLimits.MaxRequestBytes), $"request {i + 1} ({string.Join(",", requests[i].Select(u => u.Id))})");
        }
    }

    private static OperationUpdate Sized(string id, int payload) => U(id) with { Payload = new string('x', payload) };

    /// <summary>A store whose requests the test answers (or fails) one at a time; with <c>autoAnswer</c> it answers at once.</summary>
    private sealed class GatedStore(bool autoAnswer = false) : ICheckpointStore
    {
        private readonly object _gate = new();
        private readonly List<IReadOnlyList<OperationUpdate>> _requests = new();
        private readonly List<string> _tokens = new();
        private readonly Queue<TaskCompletionSource<CheckpointResult>> _pending = new();
        private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int TerminalAfter { get; init; } = int.MaxValue;

        /// <summary>Whether a request still unanswered fails when its cancellation token is cancelled (as an HTTP call does).</summary>
        public bool HonorsCancellation { get; init; }

        /// <summary>The token the n-th response (1, 2, ...) carries; <c>t{n}</c> by default.</summary>
        public Func<int, string> TokenOf { get; init; } = n => $"t{n}";

        /// <summary>The token each request carried.</summary>
        public IReadOnlyList<string> Tokens
        {
            get
            {
                lock (_gate)
                {
                    return _tokens.ToList();
                }
            }
        }

        public IReadOnlyList<IReadOnlyList<OperationUpdate>> Requests
        {
            get
            {
                lock (_gate)
                {
                    return _requests.ToList();
                }
            }
        }

        public Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                _requests.Add(updates.ToList());
                _tokens.Add(checkpointToken);
                var n = _requests.Count;
                var result = new CheckpointResult(n >= TerminalAfter ? null : TokenOf(n), new ExecutionState { Operations = [] });
                _arrived.TrySetResult();
                _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
                if (autoAnswer)
                {
                    return Task.FromResult(result);
                }

                var answer = new TaskCompletionSource<CheckpointResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                _pending.Enqueue(answer);
                if (HonorsCancellation)
                {
                    cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken));
                }

                return answer.Task.ContinueWith(t => t.IsFaulted ? throw t.Exception!.InnerException! : t.IsCanceled ? throw new TaskCanceledException(t) : result, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
            => Task.FromResult(new ExecutionState { Operations = [] });

        public async Task WaitForRequestsAsync(int count)
        {
            while (true)
            {
                Task arrived;
                lock (_gate)
                {
                    if (_requests.Count >= count)
                    {
                        return;
                    }

                    arrived = _arrived.Task;
                }

                await arrived.WaitAsync(TimeSpan.FromSeconds(60));
            }
        }

        public void Answer()
        {
            lock (_gate)
            {
                _pending.Dequeue().TrySetResult(null!);
            }
        }

        public void Fail(Exception ex)
        {
            lock (_gate)
            {
                _pending.Dequeue().SetException(ex);
            }
        }
    }
}
