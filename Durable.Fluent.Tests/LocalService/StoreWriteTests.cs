using Durable.Fluent.LocalService;
using Durable.Fluent.Tests.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// Issue 13, item 5 (SQLite cost per save): a save writes only what changed — a running execution's row without its
/// indexed end and purge columns, the timer rows only when the armed timers changed — and what it skips must never leave
/// the file behind the engine. Each step below checks the file's rows against what the engine holds, read from outside
/// the store, and a restart reads the same state back.
/// </summary>
public class StoreWriteTests : TempFolderFixture
{
    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 8, 0, 0, TimeSpan.Zero);

    private string Db => Path.Combine(Folder, "write.db");

    [Test]
    public void Timer_rows_follow_every_change_of_the_armed_timers_even_when_their_count_stays_the_same()
    {
        var clock = new FakeTimeProvider(T0);
        using var store = new SqliteEngineStateStore(Db);
        var engine = new LocalDurableEngine(clock, new LocalEngineOptions(), store);
        var arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "timers", InputPayload = "1" });
        Assert.That(Timers(arn), Is.Empty);

        var token = engine.BeginInvocation(arn).CheckpointToken!;
        token = engine.Checkpoint(arn, token, [
            new OperationUpdate { Id = "w1", Type = OperationType.Wait, SubType = "Wait", Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = 60 } },
            new OperationUpdate
            {
                Id = "c1", Type = OperationType.Callback, SubType = "Callback", Name = "approve", Action = OperationAction.Start,
                CallbackOptions = new CallbackOptions { TimeoutSeconds = 300, HeartbeatTimeoutSeconds = 120 },
            },
        ]).CheckpointToken!;
        Assert.That(Timers(arn), Is.EqualTo(new[]
        {
            ("c1", "CallbackHeartbeat", T0.AddSeconds(120).UtcTicks),
            ("c1", "CallbackTimeout", T0.AddSeconds(300).UtcTicks),
            ("w1", "WaitEnd", T0.AddSeconds(60).UtcTicks),
        }));

        // A heartbeat moves one due time: same number of timers, different rows.
        clock.Advance(TimeSpan.FromSeconds(10));
        engine.SendCallbackHeartbeat(engine.FindCallbackId(arn, "approve")!);
        Assert.That(Timers(arn), Does.Contain(("c1", "CallbackHeartbeat", T0.AddSeconds(130).UtcTicks)).And.Not.Contain(("c1", "CallbackHeartbeat", T0.AddSeconds(120).UtcTicks)));

        // A checkpoint that changes no timer keeps the rows as they are.
        token = engine.Checkpoint(arn, token, [
            new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "log", Action = OperationAction.Start },
            new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "log", Action = OperationAction.Succeed, Payload = "1" },
        ]).CheckpointToken!;
        Assert.That(Timers(arn), Has.Count.EqualTo(3));

        // A step waiting to retry arms a timer; the wait firing removes one.
        token = engine.Checkpoint(arn, token, [
            new OperationUpdate { Id = "s2", Type = OperationType.Step, SubType = "Step", Name = "charge", Action = OperationAction.Start },
            new OperationUpdate
            {
                Id = "s2", Type = OperationType.Step, SubType = "Step", Name = "charge", Action = OperationAction.Retry,
                Error = new ErrorObject { ErrorType = "Timeout", ErrorMessage = "slow" }, StepOptions = new StepOptions { NextAttemptDelaySeconds = 90 },
            },
        ]).CheckpointToken!;
        engine.EndInvocation(arn, InvocationOutcome.Returned(new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending }), "req-1");
        Assert.That(Timers(arn), Does.Contain(("s2", "RetryDue", T0.AddSeconds(100).UtcTicks)));
        clock.Advance(TimeSpan.FromSeconds(50));
        Assert.That(engine.FireNextTimer(arn), Is.True);
        Assert.That(Timers(arn).Select(t => t.OperationId), Is.EquivalentTo(new[] { "c1", "c1", "s2" }), "the wait fired: its row is gone");

        // The callback's answer removes both of its timers; the end removes the rest.
        engine.SendCallbackSuccess(engine.FindCallbackId(arn, "approve")!, "\"yes\"");
        Assert.That(Timers(arn), Is.EqualTo(new[] { ("s2", "RetryDue", T0.AddSeconds(100).UtcTicks) }));
        Assert.That(TimerCount(arn), Is.EqualTo(2), "the retry and the execution timeout while it runs");
        engine.StopExecution(arn, new ErrorObject { ErrorMessage = "enough" });
        Assert.That(TimerCount(arn), Is.Zero, "an ended execution has no timer rows");
    }

    [Test]
    public void A_running_executions_row_follows_each_call_and_gets_its_end_and_purge_time_when_it_ends()
    {
        var clock = new FakeTimeProvider(T0);
        string arn;
        string before;
        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = new LocalDurableEngine(clock, new LocalEngineOptions { RetentionPeriodInDays = 3 }, store);
            arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "row", InputPayload = "1" });
            var token = engine.BeginInvocation(arn).CheckpointToken!;
            Assert.That(Row(arn), Is.EqualTo(("RUNNING", token, 1L, (long?)null, (long?)null)), "the invocation's token and count are on disk");

            token = engine.Checkpoint(arn, token, [
                new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "add", Action = OperationAction.Start },
                new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "add", Action = OperationAction.Succeed, Payload = "2" },
            ]).CheckpointToken!;
            Assert.That(Row(arn), Is.EqualTo(("RUNNING", token, 1L, (long?)null, (long?)null)), "a checkpoint's new token is on disk");

            engine.EndInvocation(arn, InvocationOutcome.Returned(new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending }), "req-1");
            Assert.That(Row(arn), Is.EqualTo(("RUNNING", (string?)null, 1L, (long?)null, (long?)null)), "the token is cleared when the invocation ends");

            token = engine.BeginInvocation(arn).CheckpointToken!;
            Assert.That(Row(arn).InvocationCount, Is.EqualTo(2));
            clock.Advance(TimeSpan.FromMinutes(1));
            engine.EndInvocation(arn, InvocationOutcome.Returned(new DurableExecutionInvocationOutput { Status = InvocationStatus.Succeeded, Result = "2" }), "req-2");
            var end = T0.AddMinutes(1);
            Assert.That(Row(arn), Is.EqualTo(("SUCCEEDED", (string?)null, 2L, (long?)end.UtcTicks, (long?)end.AddDays(3).UtcTicks)));
            Assert.That(store.Expired(end.AddDays(3), 10), Is.EqualTo(new[] { arn }), "the purge index finds it");
            Assert.That(store.Expired(end.AddDays(3).AddTicks(-1), 10), Is.Empty);
            before = EngineDump.Of(engine, arn);
        }

        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = new LocalDurableEngine(clock, new LocalEngineOptions { RetentionPeriodInDays = 3 }, store);
            Assert.That(EngineDump.Of(engine, arn), Is.EqualTo(before), "a restart reads back what the engine held");
        }
    }

    [Test]
    public void A_row_removed_from_outside_while_the_service_runs_fails_the_save_with_the_file_named()
    {
        using var store = new SqliteEngineStateStore(Db);
        var engine = new LocalDurableEngine(new FakeTimeProvider(T0), new LocalEngineOptions(), store);
        var arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "gone", InputPayload = "1" });
        Assert.That(SqliteFiles.Execute(Db, $"DELETE FROM executions WHERE arn = '{arn}'"), Is.EqualTo(1));

        var ex = Assert.Throws<LocalEngineException>(() => engine.BeginInvocation(arn))!;
        Assert.That(ex.StatusCode, Is.EqualTo(500));
        Assert.That(ex.Message, Does.Contain(store.FilePath).And.Contain("changed from outside"));
    }

    [Test]
    public void Callback_and_purge_look_ups_use_partial_indexes_and_an_older_files_full_indexes_are_replaced()
    {
        using (var store = new SqliteEngineStateStore(Db))
        {
            EngineDriver.RunToEnd(new LocalDurableEngine(new FakeTimeProvider(T0), new LocalEngineOptions(), store), "one");
        }

        // A file written by the previous version: full indexes on callback_id and purge_ticks.
        SqliteFiles.Execute(Db, """
            DROP INDEX operations_callback; DROP INDEX executions_purge_at;
            CREATE INDEX operations_callback_id ON operations (callback_id);
            CREATE INDEX executions_purge ON executions (purge_ticks);
            """);
        using (new SqliteEngineStateStore(Db))
        {
        }

        Assert.That(Indexes(), Does.Contain("operations_callback").And.Contain("executions_purge_at").And.Not.Contain("operations_callback_id").And.Not.Contain("executions_purge"));
        Assert.That(Plan("SELECT arn, id FROM operations WHERE callback_id = 'x' LIMIT 1"), Does.Contain("USING INDEX operations_callback"));
        Assert.That(Plan("SELECT arn FROM executions WHERE purge_ticks <= 5 ORDER BY purge_ticks LIMIT 10"), Does.Contain("USING INDEX executions_purge_at"));
    }

    [TestCase(null, true)]
    [TestCase(true, true)]
    [TestCase(false, false)]
    public async Task The_service_syncs_each_commit_by_default_and_commits_to_the_log_only_when_asked(bool? syncEachCommit, bool synced)
    {
        var options = new LocalDurableServiceOptions { DatabasePath = Db, TimeProvider = new FakeTimeProvider(T0) };
        if (syncEachCommit is { } sync)
        {
            options = options with { SyncEachCommit = sync };
        }

        var service = new LocalDurableService(options);
        await using (service.ConfigureAwait(false))
        {
            Assert.That(service.SqliteStore!.SyncEachCommit, Is.EqualTo(synced), "each commit synced (the default), or only at checkpoints (kill -9 safe, not power-loss safe)");
        }
    }

    private List<(string OperationId, string Kind, long DueTicks)> Timers(string arn)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        // The execution-timeout row (the default timeout arms one at start) stays until the end; left out here.
        cmd.CommandText = "SELECT operation_id, kind, due_ticks FROM timers WHERE arn = $a AND kind <> 'ExecutionTimeout' ORDER BY operation_id, kind";
        cmd.Parameters.AddWithValue("$a", arn);
        using var r = cmd.ExecuteReader();
        var rows = new List<(string, string, long)>();
        while (r.Read())
        {
            rows.Add((r.GetString(0), r.GetString(1), r.GetInt64(2)));
        }

        return rows;
    }

    private long TimerCount(string arn)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM timers WHERE arn = $a";
        cmd.Parameters.AddWithValue("$a", arn);
        return (long)cmd.ExecuteScalar()!;
    }

    private (string Status, string? Token, long InvocationCount, long? EndTicks, long? PurgeTicks) Row(string arn)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT status, token, invocation_count, end_ticks, purge_ticks FROM executions WHERE arn = $a";
        cmd.Parameters.AddWithValue("$a", arn);
        using var r = cmd.ExecuteReader();
        Assert.That(r.Read(), Is.True, "the row exists");
        return (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4));
    }

    private List<string> Indexes()
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index'";
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read())
        {
            names.Add(r.GetString(0));
        }

        return names;
    }

    private string Plan(string sql)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + sql;
        using var r = cmd.ExecuteReader();
        var detail = new List<string>();
        while (r.Read())
        {
            detail.Add(r.GetString(3));
        }

        return string.Join(" | ", detail);
    }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection($"Data Source={Db};Pooling=False;Mode=ReadOnly");
        c.Open();
        return c;
    }
}
