using Durable.Fluent.LocalService;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>The engine's SQLite persistence: exact round trip, stored timers, and a failed save changes nothing.</summary>
public class SqliteEngineStateStoreTests
{
    private string _dir = null!;

    private string Db => Path.Combine(_dir, "engine.db");

    [SetUp]
    public void SetUp()
    {
        _dir = TempPaths.Unique("durable-fluent-sqlite");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void An_engine_reloaded_from_the_file_has_the_same_executions_operations_history_and_timers()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 8, 0, 0, 123, TimeSpan.Zero));
        string arn;
        string before;
        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = new LocalDurableEngine(clock, new LocalEngineOptions(), store);
            arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "e", InputPayload = "{\"a\":1}" });
            var token = engine.BeginInvocation(arn).CheckpointToken!;
            clock.Advance(TimeSpan.FromMilliseconds(1.5));
            var r = engine.Checkpoint(arn, token, [
                new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "pay", Action = OperationAction.Start },
                new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "pay", Action = OperationAction.Retry, Error = new ErrorObject { ErrorType = "T", ErrorMessage = "m" }, StepOptions = new StepOptions { NextAttemptDelaySeconds = 7 } },
                new OperationUpdate { Id = "w1", Type = OperationType.Wait, SubType = "Wait", Name = "nap", Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = 30 } },
                new OperationUpdate { Id = "c1", Type = OperationType.Callback, SubType = "Callback", Name = "cb", Action = OperationAction.Start, CallbackOptions = new CallbackOptions { TimeoutSeconds = 60, HeartbeatTimeoutSeconds = 20 } },
            ]);
            engine.EndInvocation(arn, InvocationOutcome.Returned(new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending }), "req-1");
            before = EngineDump.Of(engine, arn);
            Assert.That(r.CheckpointToken, Is.Not.Null);
        }

        using (var store = new SqliteEngineStateStore(Db))
        {
            var reloaded = new LocalDurableEngine(clock, new LocalEngineOptions(), store);
            Assert.That(EngineDump.Of(reloaded, arn), Is.EqualTo(before));
            Assert.That(reloaded.NextTimerDue(arn), Is.EqualTo(clock.GetUtcNow().AddSeconds(7)));
            Assert.That(store.EarliestTimerDue(), Is.EqualTo(clock.GetUtcNow().AddSeconds(7)));
            Assert.That(reloaded.FindCallbackId(arn, "cb"), Is.Not.Null);
            reloaded.SendCallbackHeartbeat(reloaded.FindCallbackId(arn, "cb")!); // the callback index was rebuilt
        }

        using var connection = new SqliteConnection($"Data Source={Db}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COUNT(*) FROM executions), (SELECT COUNT(*) FROM operations), (SELECT COUNT(*) FROM history_events), (SELECT COUNT(*) FROM timers), (SELECT journal_mode FROM pragma_journal_mode)";
        using var reader = cmd.ExecuteReader();
        reader.Read();
        // Timers: the wait, the callback's timeout and heartbeat, the step's retry, and the execution timeout.
        Assert.That((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4)), Is.EqualTo((1L, 4L, 6L, 5L, "wal")));
    }

    [Test]
    public void A_failed_save_answers_500_and_leaves_memory_at_the_last_saved_state()
    {
        using var inner = new SqliteEngineStateStore(Db);
        var store = new FlakyStore(inner);
        var engine = new LocalDurableEngine(new FakeTimeProvider(), new LocalEngineOptions(), store);
        var arn = engine.StartExecution(new StartExecutionRequest { ExecutionName = "e" });
        var token = engine.BeginInvocation(arn).CheckpointToken!;
        var before = EngineDump.Of(engine, arn);
        OperationUpdate[] batch = [new OperationUpdate { Id = "w", Type = OperationType.Wait, SubType = "Wait", Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = 5 } }];

        store.Fail = true;
        var ex = Assert.Throws<LocalEngineException>(() => engine.Checkpoint(arn, token, batch));
        Assert.That((ex!.StatusCode, ex.ErrorCode, ex.IsRetryable), Is.EqualTo((500, "ServiceException", true)));
        Assert.That(EngineDump.Of(engine, arn), Is.EqualTo(before));

        store.Fail = false;
        Assert.That(engine.Checkpoint(arn, token, batch).CheckpointToken, Is.Not.Null, "the token from before the failed save still works");
    }

    private sealed class FlakyStore(SqliteEngineStateStore inner) : IEngineStateStore
    {
        public bool Fail { get; set; }

        public long MaxSeq() => inner.MaxSeq();

        public IReadOnlyList<string> OpenArns() => inner.OpenArns();

        public ExecutionRecord? Load(string arn) => inner.Load(arn);

        public void Delete(IReadOnlyCollection<string> arns) => inner.Delete(arns);

        public string? FindByName(string functionName, string name) => inner.FindByName(functionName, name);

        public (string Arn, string OperationId)? FindCallback(string callbackId) => inner.FindCallback(callbackId);

        public bool Exists(string arn) => inner.Exists(arn);

        public IReadOnlyList<StoredExecution> List(ExecutionQuery query, DateTimeOffset now, int offset, int limit) => inner.List(query, now, offset, limit);

        public long Count(ExecutionQuery query, DateTimeOffset now) => inner.Count(query, now);

        public IReadOnlyList<string> Expired(DateTimeOffset now, int max) => inner.Expired(now, max);

        public Task SaveAsync(ExecutionRecord rec)
        {
            if (Fail)
            {
                throw new IOException("disk full");
            }

            return inner.SaveAsync(rec);
        }
    }
}
