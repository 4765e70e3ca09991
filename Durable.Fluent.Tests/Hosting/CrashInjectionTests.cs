using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Retries;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Tests.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Hosting;

/// <summary>
/// Issue 10 and issue 15: crash injection at every checkpoint call, in both checkpoint modes. A workflow with sequential
/// steps, a map, a wait-for-condition and a parallel of steps (at-most-once steps, retried steps, a wait, a child context, a
/// wait-for-callback, and a map inside a parallel inside a child context) runs once without faults, then once per (fault
/// kind, update sent or state read by the fault-free run) with the call carrying it failing — named by what it carries, so
/// every position is reached whatever the grouping of concurrent updates — re-invoked until it ends. For every run: (a) no step body starts after the invocation it belongs to has ended, and none is still
/// running when it ends; (b) the result equals the synchronous fault-free one; (c) an at-most-once body never runs twice for
/// one attempt; (d) no body runs after the service accepted its SUCCEED; (e) no at-most-once body or callback submitter
/// starts on a value whose SUCCEED is not durable yet — and in synchronous mode no body at all does.
/// </summary>
public class CrashInjectionTests
{
    private static readonly RetryStrategyConfig Retry = new() { MaxAttempts = 4, InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(1), Jitter = JitterStrategy.None };

    public static IEnumerable<TestCaseData> Variants()
    {
        foreach (var mode in new[] { CheckpointMode.Synchronous, CheckpointMode.Pipelined })
        {
            var m = mode == CheckpointMode.Pipelined ? " (pipelined)" : string.Empty;
            yield return new TestCaseData(mode, CheckpointFault.NetworkError, false).SetName($"Crash injection{m}: network error before the request");
            yield return new TestCaseData(mode, CheckpointFault.ServerError, false).SetName($"Crash injection{m}: 503 before the request is applied");
            yield return new TestCaseData(mode, CheckpointFault.ServerError, true).SetName($"Crash injection{m}: 503 after the request was applied (response lost)");
            yield return new TestCaseData(mode, CheckpointFault.ProcessExit, false).SetName($"Crash injection{m}: process exits before the request");
            yield return new TestCaseData(mode, CheckpointFault.ProcessExit, true).SetName($"Crash injection{m}: process exits after the request was applied");
        }
    }

    [TestCaseSource(nameof(Variants))]
    public async Task Every_checkpoint_call_can_fail_without_orphaned_or_repeated_bodies(CheckpointMode mode, CheckpointFault fault, bool afterApply)
    {
        var expected = await RunAsync(CheckpointMode.Synchronous, null, fault, afterApply);
        var reference = mode == CheckpointMode.Synchronous ? expected : await RunAsync(mode, null, fault, afterApply);
        Assert.That(reference.Status, Is.EqualTo(ExecutionStatus.Succeeded), reference.Error);
        Assert.That(reference.Result, Is.EqualTo(expected.Result), "the fault-free result differs from the synchronous mode's");
        Assert.That(reference.Ledger.Violations, Is.Empty);

        // Positions are named by what a call carries (FaultPosition): a faulted run sends the same updates and makes the same
        // state reads until its fault, however it groups concurrent updates into requests (group commit, background sends),
        // so it always reaches the position. The sweep faults the request carrying each update the fault-free run sent (and
        // each state read): that covers every call of the fault-free run (named by its first update), and every request of
        // any other grouping of the same updates. Every position is faulted, in both modes.
        var positions = reference.Store.EveryPosition;
        Assert.That(reference.Store.Positions, Has.Count.EqualTo(reference.Calls));
        Assert.That(reference.Store.Positions, Is.SubsetOf(positions), "every call of the fault-free run is among the positions");
        Assert.That(positions.Distinct().Count(), Is.EqualTo(positions.Count), "positions name one update or read each");
        var totals = new Totals();
        foreach (var position in positions)
        {
            var run = await RunAsync(mode, position, fault, afterApply);
            totals.Add(run);
            Assert.That(run.Injected, Is.True, $"{position}: the faulted run never reached it");
            Assert.That(run.Status, Is.EqualTo(ExecutionStatus.Succeeded), $"{position}: {run.Error}");
            Assert.That(run.Result, Is.EqualTo(expected.Result), $"{position}: the result differs from the synchronous fault-free run");
            Assert.That(run.Ledger.Violations, Is.Empty, $"{position}");
        }

        TestContext.Out.WriteLine(
            $"{mode} {fault}{(afterApply ? " after apply" : string.Empty)}: fault-free run {reference.Calls} calls; {totals.Runs} runs (one per update sent or state read), {totals.Faults} with the fault injected, "
            + $"{totals.Invocations} invocations, {totals.BodyStarts} step body starts; bodies started after their invocation ended: {totals.StartsAfterEnd}; "
            + $"bodies still running when it ended: {totals.RunningAtEnd}; at-most-once repeats: {totals.AtMostOnceRepeats}; runs after an accepted SUCCEED: {totals.RerunsAfterSucceed}; "
            + $"bodies started on a value not yet durable: {totals.UndurableInputs} (at-most-once or submitter: {totals.UndurableVisible})");
        Assert.That(reference.Calls, Is.GreaterThanOrEqualTo(15), "the workflow makes enough calls to be a meaningful sweep");
        Assert.That(totals.Faults, Is.EqualTo(positions.Count), "every position of the fault-free run was faulted");
        Assert.That((totals.StartsAfterEnd, totals.RunningAtEnd, totals.AtMostOnceRepeats, totals.RerunsAfterSucceed, totals.UndurableVisible), Is.EqualTo((0, 0, 0, 0, 0)));
        if (mode == CheckpointMode.Synchronous)
        {
            Assert.That(totals.UndurableInputs + reference.Ledger.UndurableInputs, Is.Zero, "synchronous mode: no body starts on a value that is not durable");
        }
        else
        {
            Assert.That(totals.UndurableInputs + reference.Ledger.UndurableInputs, Is.Positive, "pipelined mode: at-least-once bodies do start on values still in flight (the sweep exercises pipelining)");
        }
    }

    [Test]
    public async Task The_ledger_sees_a_body_started_after_its_invocation_ended()
    {
        // The checks must be able to fail: a body that runs detached from its invocation is reported.
        var ledger = new BodyLedger();
        var invocation = ledger.BeginInvocation();
        var detached = Task.Run(async () =>
        {
            await Task.Yield();
            ledger.EndInvocation(invocation);
            using (ledger.Body("op", 1, atMostOnce: true))
            {
            }

            using (ledger.Body("op", 1, atMostOnce: true))
            {
            }
        });
        await detached;
        Assert.That(ledger.StartsAfterEnd, Is.EqualTo(2));
        Assert.That(ledger.AtMostOnceRepeats, Is.EqualTo(1));
    }

    [Test]
    public async Task The_ledger_sees_a_body_started_on_a_value_that_is_not_durable()
    {
        // The dependency check must be able to fail: a store that never applies SUCCEEDs leaves every input undurable.
        var engine = new LocalDurableEngine(new VirtualClock());
        var store = new FaultInjectingCheckpointStore(new InMemoryCheckpointStore(engine), failCall: 0, CheckpointFault.NetworkError, afterApply: false);
        var ledger = new BodyLedger { Store = store, StrictInputs = true };
        ledger.BeginInvocation();
        ledger.Completed("root", "producer");
        using (ledger.Body("consumer", 1, atMostOnce: false, chain: "root"))
        {
        }

        using (ledger.Body("visible", 1, atMostOnce: true, chain: "item", after: "root"))
        {
        }

        Assert.That((ledger.UndurableInputs, ledger.UndurableVisible, ledger.Violations.Count), Is.EqualTo((2, 1, 2)));
        await Task.CompletedTask;
    }

    private static Workflow<int[], string> Build(BodyLedger ledger, CheckpointMode mode)
    {
        // Each body names its chain (the root, a map item, a parallel branch) and the chains whose last result it runs on.
        Func<int, StepContext<int[]>, CancellationToken, Task<int>> Body(bool atMostOnce, Func<int, int, int> f, Func<int, string> chain, string? after = "root") => async (x, ctx, ct) =>
        {
            var key = chain(x);
            using (ledger.Body(ctx.OperationId, ctx.Attempt, atMostOnce, key, after))
            {
                await Task.Yield();
                var result = f(x, ctx.Attempt);
                ledger.Completed(key, ctx.OperationId);
                return result;
            }
        };

        Func<int, StepContext<int[]>, CancellationToken, Task<int>> Root(Func<int, int> f) => Body(false, (x, _) => f(x), _ => "root", after: null);

        var child = Workflow.For<int>()
            .Then("child-step", (int x, StepContext<int> ctx, CancellationToken ct) =>
            {
                using (ledger.Body(ctx.OperationId, ctx.Attempt, atMostOnce: false, chain: "c", after: "root"))
                {
                    ledger.Completed("c", ctx.OperationId);
                    return Task.FromResult(x * 3);
                }
            })
            .Build();
        // A map inside a parallel inside a child context (a branch of "fan").
        Func<int, StepContext<int>, CancellationToken, Task<int>> Nested(string chain, Func<int, int> f) => (v, ctx, ct) =>
        {
            using (ledger.Body(ctx.OperationId, ctx.Attempt, atMostOnce: false, chain: $"{chain}-{v}", after: "root"))
            {
                ledger.Completed($"{chain}-{v}", ctx.OperationId);
                return Task.FromResult(f(v));
            }
        };
        Func<WorkflowBuilder<int, int>, WorkflowBuilder<int, int>>[] inner =
        [
            b => b.Map("inner-items", x => new[] { x, x + 1, x + 2 }, item => item.Then("square", Nested("e-item", v => v * v)), m => m.MaxConcurrency(2)).Select(r => r.Results.Sum()),
            b => b.Then("side", Nested("e-side", v => v + 7)),
        ];
        var nest = Workflow.For<int>().Parallel("inner-fan", inner, c => c.MaxConcurrency(2)).Select(r => r.Results.Sum()).Build();
        Func<WorkflowBuilder<int[], int>, WorkflowBuilder<int[], int>>[] branches =
        [
            b => b.Then("a1", Body(true, (x, _) => x + 1, _ => "a"), s => s.AtMostOncePerRetry().Retry(Retry)),
            b => b.Then("b1", Body(false, (x, _) => x + 2, _ => "b")).Wait("b-wait", TimeSpan.FromSeconds(2)).Then("b2", Body(false, (x, _) => x * 2, _ => "b")),
            b => b.Then("c-child", child),
            b => b.WaitForCallback<string>("approval", async (int v, string callbackId, StepContext<int[]> ctx, CancellationToken ct) =>
            {
                // A submitter hands the callback id to the outside world: user-visible, so its input must be durable.
                using (ledger.Body(ctx.OperationId, ctx.Attempt, atMostOnce: false, chain: "d", after: "root", visible: true))
                {
                    await Task.Yield();
                }
            }).Select(s => s.Length),
            b => b.Then("e-nest", nest),
        ];

        return Workflow.For<int[]>()
            .Then("prepare", (int[] xs, StepContext<int[]> ctx, CancellationToken ct) =>
            {
                using (ledger.Body(ctx.OperationId, ctx.Attempt, atMostOnce: false, chain: "root"))
                {
                    ledger.Completed("root", ctx.OperationId);
                    return Task.FromResult(xs.Sum());
                }
            })
            .Then("p1", Root(x => x + 1))
            .Then("p2", Root(x => x * 2))
            .Then("p3", Root(x => x - 1))
            .Then("gate", Body(true, (x, _) => x, _ => "root", after: null), s => s.AtMostOncePerRetry().Retry(Retry))
            .Then("p4", Root(x => x + 3))
            .Then("fan-out", (int total, StepContext<int[]> ctx, CancellationToken ct) =>
            {
                using (ledger.Body(ctx.OperationId, ctx.Attempt, atMostOnce: false, chain: "root"))
                {
                    ledger.Completed("root", ctx.OperationId);
                    return Task.FromResult(ctx.Input.Select(x => x + total).ToArray());
                }
            })
            .Map("items", xs => xs, item => item
                    .Then("charge", Body(true, (x, _) => x * 10, x => $"item-{x}"), s => s.AtMostOncePerRetry().Retry(Retry))
                    .Then("flaky", Body(false, (x, attempt) => attempt == 1 && x % 20 == 0 ? throw new TimeoutException($"transient {x}") : x + 1, x => $"item-{x / 10}", after: null), s => s.Retry(Retry)),
                m => m.MaxConcurrency(2))
            .Select(r => r.Results.Sum())
            .Then("sum", Root(x => x))
            .WaitForCondition<int>("poll", (s, ctx) =>
            {
                using (ledger.Body(ctx.OperationId, ctx.Attempt, atMostOnce: false, chain: "root"))
                {
                    ledger.Completed("root", ctx.OperationId);
                    return s + 1;
                }
            }, WaitStrategy.Fixed<int>(s => s % 3 != 0, TimeSpan.FromSeconds(1)))
            .Parallel("fan", branches, c => c.MaxConcurrency(2))
            .Then("finish", (BatchResult<int> r, StepContext<int[]> ctx, CancellationToken ct) =>
            {
                using (ledger.Body(ctx.OperationId, ctx.Attempt, atMostOnce: false, chain: "root"))
                {
                    return Task.FromResult(string.Join(",", r.Results));
                }
            })
            .Build(new WorkflowOptions { CheckpointMode = mode, PipelineWindow = 4 });
    }

    /// <summary>Drives one execution on the in-memory engine (paged state, virtual clock) until it ends.</summary>
    private static async Task<RunResult> RunAsync(CheckpointMode mode, FaultPosition? position, CheckpointFault fault, bool afterApply)
    {
        var ledger = new BodyLedger { StrictInputs = mode == CheckpointMode.Synchronous };
        var workflow = Build(ledger, mode);
        var clock = new VirtualClock();
        var engine = new LocalDurableEngine(clock, new LocalEngineOptions { InitialStatePageSize = 4 });
        // Calls complete asynchronously, as over a network: a pipelined request is still in flight while the lane goes on.
        var store = new FaultInjectingCheckpointStore(new InMemoryCheckpointStore(engine), failCall: 0, fault, afterApply) { Asynchronous = true, FailAt = position };
        ledger.Store = store;
        var arn = engine.StartExecution(new StartExecutionRequest { InputPayload = JsonSerializer.Serialize(new[] { 1, 2, 3, 4, 5 }) });
        var options = new DurableRunOptions { TimeProvider = clock };
        var invocations = 0;
        var invokeNow = true;
        while (engine.GetExecution(arn).Status == ExecutionStatus.Running)
        {
            if (!invokeNow && !engine.HasUpdatesSinceLastInvocation(arn) && !FireNext(engine, clock, arn))
            {
                return new RunResult(ExecutionStatus.Running, null, "the execution is stuck: nothing is due", store, ledger, invocations);
            }

            invokeNow = false;
            if (++invocations > 200)
            {
                return new RunResult(ExecutionStatus.Running, null, "more than 200 invocations", store, ledger, invocations);
            }

            var input = engine.BeginInvocation(arn);
            store.BeginInvocation();
            var invocation = ledger.BeginInvocation();
            var requestId = $"req-{invocations}";
            InvocationOutcome outcome;
            try
            {
                var output = await workflow.HandleAsync(input, store, options).ConfigureAwait(false);
                outcome = InvocationOutcome.Returned(output);
            }
            catch (Exception ex)
            {
                outcome = InvocationOutcome.Crashed(ex is InvocationTerminatedException ? "Runtime.ExitError" : "Runtime.Unhandled", $"{ex.GetType().Name}: {ex.Message}");
                invokeNow = true;
            }
            finally
            {
                ledger.EndInvocation(invocation);
            }

            engine.EndInvocation(arn, outcome, requestId);
        }

        var snapshot = engine.GetExecution(arn);
        return new RunResult(snapshot.Status, snapshot.Result, snapshot.Error?.ErrorMessage, store, ledger, invocations);
    }

    /// <summary>Fires the next engine timer (moving the clock), or answers an open callback; false when nothing is left.</summary>
    private static bool FireNext(LocalDurableEngine engine, VirtualClock clock, string arn)
    {
        if (engine.NextOperationTimerDue(arn) is { } due)
        {
            clock.AdvanceTo(due);
            return engine.FireNextTimer(arn);
        }

        var open = engine.GetOperations(arn).FirstOrDefault(o => o is { Type: OperationType.Callback, Status: OperationStatus.Started, CallbackDetails.CallbackId: not null });
        if (open is null)
        {
            return false;
        }

        engine.SendCallbackSuccess(open.CallbackDetails!.CallbackId!, "\"approved\"");
        return true;
    }

    private sealed record RunResult(ExecutionStatus Status, string? Result, string? Error, FaultInjectingCheckpointStore Store, BodyLedger Ledger, int Invocations)
    {
        public bool Injected => Store.Injected;

        public int Calls => Store.Calls;
    }

    private sealed class Totals
    {
        public int Runs { get; private set; }

        public int Faults { get; private set; }

        public int Invocations { get; private set; }

        public int BodyStarts { get; private set; }

        public int StartsAfterEnd { get; private set; }

        public int RunningAtEnd { get; private set; }

        public int AtMostOnceRepeats { get; private set; }

        public int RerunsAfterSucceed { get; private set; }

        public int UndurableInputs { get; private set; }

        public int UndurableVisible { get; private set; }

        public void Add(RunResult run)
        {
            Runs++;
            Faults += run.Injected ? 1 : 0;
            Invocations += run.Invocations;
            BodyStarts += run.Ledger.Starts;
            StartsAfterEnd += run.Ledger.StartsAfterEnd;
            RunningAtEnd += run.Ledger.RunningAtEnd;
            AtMostOnceRepeats += run.Ledger.AtMostOnceRepeats;
            RerunsAfterSucceed += run.Ledger.RerunsAfterSucceed;
            UndurableInputs += run.Ledger.UndurableInputs;
            UndurableVisible += run.Ledger.UndurableVisible;
        }
    }
}

/// <summary>
/// Counts step body starts per invocation. The driver marks the invocation it is running in an <see cref="AsyncLocal{T}"/>
/// that flows into every task the interpreter starts, so each body start is attributed to its invocation wherever it runs.
/// It also checks what a body starts on: each body names its chain (a sequential flow of the workflow) and the chain it
/// was forked from; the last result completed in those chains is its input, and the store tells whether that result's
/// SUCCEED is durable. An input that is not durable is a violation for a user-visible body (at-most-once, a callback
/// submitter) and, with <see cref="StrictInputs"/> (synchronous mode), for every body.
/// </summary>
internal sealed class BodyLedger
{
    private static readonly AsyncLocal<Invocation?> Current = new();
    private readonly object _gate = new();
    private readonly Dictionary<(string Id, int Attempt), int> _atMostOnce = new();
    private readonly List<string> _violations = new();

    public FaultInjectingCheckpointStore? Store { get; set; }

    public int Starts { get; private set; }

    public int StartsAfterEnd { get; private set; }

    public int RunningAtEnd { get; private set; }

    public int AtMostOnceRepeats { get; private set; }

    public int RerunsAfterSucceed { get; private set; }

    /// <summary>Bodies that started on a value whose SUCCEED the service had not accepted yet.</summary>
    public int UndurableInputs { get; private set; }

    /// <summary>User-visible bodies (at-most-once, submitters) among <see cref="UndurableInputs"/>.</summary>
    public int UndurableVisible { get; private set; }

    /// <summary>Whether every body (not only user-visible ones) must start on durable values: synchronous mode.</summary>
    public bool StrictInputs { get; init; }

    private readonly Dictionary<string, List<string>> _completed = new(StringComparer.Ordinal);

    /// <summary>Records that the body of <paramref name="operationId"/> produced the latest result of <paramref name="chain"/>.</summary>
    public void Completed(string chain, string operationId)
    {
        lock (_gate)
        {
            if (!_completed.TryGetValue(chain, out var list))
            {
                _completed[chain] = list = new();
            }

            if (!list.Contains(operationId))
            {
                list.Add(operationId);
            }
        }
    }

    /// <summary>The result <paramref name="operationId"/> runs on in <paramref name="chain"/>: the one completed before its own first
    /// completion (a step that runs again after a crash runs on the same input), else the chain's latest.</summary>
    private string? InputOf(string chain, string operationId)
    {
        if (!_completed.TryGetValue(chain, out var list) || list.Count == 0)
        {
            return null;
        }

        var own = list.IndexOf(operationId);
        return own < 0 ? list[^1] : own > 0 ? list[own - 1] : null;
    }

    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_gate)
            {
                return _violations.ToList();
            }
        }
    }

    public Invocation BeginInvocation()
    {
        var invocation = new Invocation();
        Current.Value = invocation;
        return invocation;
    }

    public void EndInvocation(Invocation invocation)
    {
        lock (_gate)
        {
            invocation.Ended = true;
            if (invocation.Running > 0)
            {
                RunningAtEnd += invocation.Running;
                _violations.Add($"{invocation.Running} body(ies) still running when the invocation ended");
            }
        }
    }

    public IDisposable Body(string operationId, int attempt, bool atMostOnce, string? chain = null, string? after = null, bool visible = false)
    {
        var invocation = Current.Value;
        lock (_gate)
        {
            Starts++;
            foreach (var input in new[] { chain, after })
            {
                if (input is not null && InputOf(input, operationId) is { } producer && Store?.SucceedApplied(producer) != true)
                {
                    UndurableInputs++;
                    if (atMostOnce || visible)
                    {
                        UndurableVisible++;
                    }

                    if (atMostOnce || visible || StrictInputs)
                    {
                        _violations.Add($"body of {operationId} attempt {attempt} started on the result of {producer} ({input}) before its SUCCEED was durable");
                    }
                }
            }

            if (invocation is null || invocation.Ended)
            {
                StartsAfterEnd++;
                _violations.Add($"body of {operationId} attempt {attempt} started after its invocation ended");
            }

            if (atMostOnce)
            {
                var n = _atMostOnce[(operationId, attempt)] = _atMostOnce.GetValueOrDefault((operationId, attempt)) + 1;
                if (n > 1)
                {
                    AtMostOnceRepeats++;
                    _violations.Add($"at-most-once body of {operationId} ran {n} times for attempt {attempt}");
                }
            }

            if (Store?.SucceedApplied(operationId) == true)
            {
                RerunsAfterSucceed++;
                _violations.Add($"body of {operationId} ran after the service accepted its SUCCEED");
            }

            if (invocation is not null)
            {
                invocation.Running++;
            }
        }

        return new Scope(this, invocation);
    }

    internal sealed class Invocation
    {
        public bool Ended { get; set; }

        public int Running { get; set; }
    }

    private sealed class Scope(BodyLedger ledger, Invocation? invocation) : IDisposable
    {
        public void Dispose()
        {
            lock (ledger._gate)
            {
                if (invocation is not null)
                {
                    invocation.Running--;
                }
            }
        }
    }
}
