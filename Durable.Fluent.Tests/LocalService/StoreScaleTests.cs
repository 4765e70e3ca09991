using Durable.Fluent.LocalService;
using Durable.Fluent.Tests.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// Issue 13, item 4, on SQLite: only the executions that have not ended are loaded at start; an ended one is loaded when it
/// is asked for and dropped again from a bounded cache; names, callback ids and listings are answered by the file's indexes;
/// the retention purge deletes every row; concurrent saves are committed together and one failing save fails alone.
/// </summary>
public class StoreScaleTests : TempFolderFixture
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private string Db => Path.Combine(Folder, "scale.db");

    [Test]
    public void A_restart_loads_only_the_executions_that_have_not_ended_and_reads_the_others_on_demand()
    {
        var clock = new FakeTimeProvider(T0);
        string running;
        List<string> ended;
        string before;
        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = Engine(clock, store);
            ended = Enumerable.Range(0, 4).Select(i => EngineDriver.RunToEnd(engine, $"ended-{i}")).ToList();
            running = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "running" });
            before = EngineDump.Of(engine, ended[2]);
        }

        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = Engine(clock, store);
            Assert.That(engine.LoadedExecutions, Is.EqualTo(1), "only the running execution");
            Assert.That(engine.OpenExecutions(), Is.EqualTo(new[] { running }));

            Assert.That(EngineDump.Of(engine, ended[2]), Is.EqualTo(before), "an ended one is read back whole");
            Assert.That(engine.LoadedExecutions, Is.EqualTo(2));
            Assert.That(engine.ListExecutions().Select(e => e.DurableExecutionArn), Is.EqualTo(ended.Append(running)), "the list comes from the file, in creation order");
            Assert.That(engine.LoadedExecutions, Is.EqualTo(2), "listing loads nothing");
        }
    }

    [Test]
    public void Ended_executions_beyond_the_cache_leave_memory_and_stay_readable()
    {
        using var store = new SqliteEngineStateStore(Db);
        var engine = Engine(new FakeTimeProvider(T0), store, cached: 2);
        var arns = Enumerable.Range(0, 6).Select(i => EngineDriver.RunToEnd(engine, $"e-{i}")).ToList();
        var running = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "open" });

        Assert.That(engine.LoadedExecutions, Is.EqualTo(3), "two cached ended executions plus the running one");
        foreach (var arn in arns)
        {
            Assert.That(engine.GetHistory(arn).Select(e => e.EventType), Is.EqualTo(EngineDriver.RunToEndHistory));
            Assert.That(engine.LoadedExecutions, Is.LessThanOrEqualTo(3));
        }

        Assert.That(engine.GetExecution(running).Status, Is.EqualTo(ExecutionStatus.Running), "running executions are never dropped");
    }

    [Test]
    public void A_name_stays_taken_when_its_execution_left_memory_and_after_a_restart()
    {
        var clock = new FakeTimeProvider(T0);
        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = Engine(clock, store, cached: 0);
            EngineDriver.RunToEnd(engine, "unique");
            EngineDriver.RunToEnd(engine, "other"); // pushes "unique" out of memory
            Assert.That(Conflict(() => engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "unique" })), Is.EqualTo(409));
            Assert.That(engine.StartExecution(new StartExecutionRequest { FunctionName = "other-fn", ExecutionName = "unique" }), Is.Not.Null, "names are per function");
        }

        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = Engine(clock, store);
            Assert.That(Conflict(() => engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "unique" })), Is.EqualTo(409));
            Assert.That(engine.FindExecution("fn", "unique")?.Status, Is.EqualTo(ExecutionStatus.Succeeded));
            Assert.That(engine.FindExecution("fn", "missing"), Is.Null);
        }
    }

    [Test]
    public void A_callback_of_an_ended_execution_out_of_memory_is_found_through_the_file()
    {
        var clock = new FakeTimeProvider(T0);
        string arn;
        string callbackId;
        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = Engine(clock, store);
            arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "waits" });
            var token = engine.BeginInvocation(arn).CheckpointToken!;
            engine.Checkpoint(arn, token, [EngineDriver.CallbackStart("approval")]);
            engine.EndInvocation(arn, InvocationOutcome.Returned(new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending }), "r1");
            callbackId = engine.FindCallbackId(arn, "approval")!;
        }

        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = Engine(clock, store, cached: 0);
            Assert.That(engine.SendCallbackSuccess(callbackId, "\"ok\""), Is.EqualTo(arn));
            engine.StopExecution(arn, null);
            EngineDriver.RunToEnd(engine, "evicts-it");
            Assert.That(engine.LoadedExecutions, Is.EqualTo(1), "only the last ended execution is in memory");
            var closed = Assert.Throws<LocalEngineException>(() => engine.SendCallbackHeartbeat(callbackId));
            Assert.That(closed!.ErrorCode, Is.EqualTo("CallbackTimeoutException"), "closed, not unknown, while the execution is kept");
        }
    }

    [Test]
    public void The_retention_purge_deletes_every_row_of_the_execution()
    {
        var clock = new FakeTimeProvider(T0);
        using var store = new SqliteEngineStateStore(Db);
        var engine = Engine(clock, store, retentionDays: 1);
        var purged = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "purged" });
        var token = engine.BeginInvocation(purged).CheckpointToken!;
        engine.Checkpoint(purged, token, [EngineDriver.CallbackStart("cb")]);
        var callbackId = engine.FindCallbackId(purged, "cb")!;
        engine.StopExecution(purged, null);
        var kept = EngineDriver.RunToEnd(engine, "kept", retentionDays: 5);
        var running = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "running" });
        clock.Advance(TimeSpan.FromDays(1));

        Assert.That(engine.PurgeExpired(), Is.EqualTo(1));

        Assert.That(Rows(purged), Is.EqualTo((0L, 0L, 0L, 0L)), "executions, operations, history_events, timers");
        Assert.That(Rows(kept).Executions, Is.EqualTo(1));
        Assert.That(Rows(running).Timers, Is.EqualTo(1), "the running execution keeps its timeout timer");
        Assert.That(Assert.Throws<LocalEngineException>(() => engine.GetExecution(purged))!.StatusCode, Is.EqualTo(404));
        Assert.That(Assert.Throws<LocalEngineException>(() => engine.SendCallbackSuccess(callbackId, null))!.StatusCode, Is.EqualTo(404));
        Assert.That(engine.ListExecutions().Select(e => e.DurableExecutionArn), Is.EqualTo(new[] { kept, running }));
        Assert.That(engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "purged" }), Is.Not.EqualTo(purged), "the name is free again");
    }

    [Test]
    public void An_execution_past_its_retention_is_gone_from_reads_and_lists_before_any_sweep()
    {
        var clock = new FakeTimeProvider(T0);
        string arn;
        using (var store = new SqliteEngineStateStore(Db))
        {
            arn = EngineDriver.RunToEnd(Engine(clock, store, retentionDays: 2), "old");
        }

        clock.Advance(TimeSpan.FromDays(3));
        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = Engine(clock, store, retentionDays: 2);
            Assert.That(engine.ListExecutions(), Is.Empty);
            Assert.That(engine.CountExecutions(new ExecutionQuery()), Is.Zero);
            Assert.That(Assert.Throws<LocalEngineException>(() => engine.GetExecution(arn))!.StatusCode, Is.EqualTo(404));
            Assert.That(Rows(arn).Executions, Is.Zero, "reading it purged it");
        }
    }

    [Test]
    public void A_file_from_before_retention_gets_the_default_period_from_each_end()
    {
        var clock = new FakeTimeProvider(T0);
        string old;
        string recent;
        string running;
        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = Engine(clock, store);
            old = EngineDriver.RunToEnd(engine, "old");
            clock.Advance(TimeSpan.FromDays(10));
            recent = EngineDriver.RunToEnd(engine, "recent");
            running = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "running" });
        }

        Execute("DROP INDEX executions_purge_at; ALTER TABLE executions DROP COLUMN purge_ticks; ALTER TABLE executions DROP COLUMN retention_days;");
        clock.Advance(TimeSpan.FromDays(5)); // old ended 15 days ago, recent 5

        using (var store = new SqliteEngineStateStore(Db, legacyRetentionDays: 14))
        {
            var engine = Engine(clock, store);
            Assert.That(engine.PurgeExpired(), Is.EqualTo(1));
            Assert.That(engine.ListExecutions().Select(e => e.DurableExecutionArn), Is.EqualTo(new[] { recent, running }));
            EngineDriver.Finish(engine, running);
            clock.Advance(TimeSpan.FromDays(14));
            Assert.That(engine.PurgeExpired(), Is.EqualTo(2), "the running one got the period too");
        }

        Assert.That(Rows(old).Executions, Is.Zero);
    }

    [Test]
    public void Listing_pages_filters_and_reverses_in_the_file_as_in_memory()
    {
        var fileClock = new FakeTimeProvider(T0);
        var memoryClock = new FakeTimeProvider(T0);
        using var store = new SqliteEngineStateStore(Db);
        var onFile = Engine(fileClock, store, cached: 0);
        var inMemory = new LocalDurableEngine(memoryClock, new LocalEngineOptions());
        foreach (var (engine, clock) in new[] { (onFile, fileClock), (inMemory, memoryClock) })
        {
            for (var i = 0; i < 12; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                if (i % 3 == 0)
                {
                    engine.StartExecution(new StartExecutionRequest { FunctionName = i % 2 == 0 ? "fn" : "other", ExecutionName = $"run-{i}" });
                }
                else
                {
                    EngineDriver.RunToEnd(engine, $"run-{i}", i % 2 == 0 ? "fn" : "other");
                }
            }
        }

        var queries = new[]
        {
            new ExecutionQuery(),
            new ExecutionQuery { FunctionName = "fn" },
            new ExecutionQuery { FunctionName = "other", Reverse = true },
            new ExecutionQuery { Statuses = [ExecutionStatus.Running] },
            new ExecutionQuery { Statuses = [ExecutionStatus.Succeeded, ExecutionStatus.Failed], ExecutionName = "run-4" },
            new ExecutionQuery { StartedAfter = T0.AddSeconds(3), StartedBefore = T0.AddSeconds(9) },
        };
        foreach (var q in queries)
        {
            for (var offset = 0; offset <= 13; offset += 5)
            {
                var file = onFile.ListExecutions(q, offset, 5);
                var memory = inMemory.ListExecutions(q, offset, 5);
                Assert.That(file.Items.Select(e => (e.DurableExecutionName, e.Status)), Is.EqualTo(memory.Items.Select(e => (e.DurableExecutionName, e.Status))), $"{q} from {offset}");
                Assert.That(file.More, Is.EqualTo(memory.More));
            }

            Assert.That(onFile.CountExecutions(q), Is.EqualTo(inMemory.CountExecutions(q)));
        }

        Assert.That(onFile.ListExecutions(new ExecutionQuery(), 0, 100).Items, Has.Count.EqualTo(12));
        Assert.That(onFile.LoadedExecutions, Is.EqualTo(5), "the 4 running ones and the last ended one (cache 0): listing loads nothing");
    }

    [Test]
    public void Saves_from_many_threads_are_all_stored_and_a_failing_save_fails_alone()
    {
        using (var store = new SqliteEngineStateStore(Db))
        {
            // Refuse one execution's rows at the database, whichever batch they are committed in.
            Execute("CREATE TRIGGER refuse BEFORE INSERT ON executions WHEN NEW.name = 'bad-7' BEGIN SELECT RAISE(ABORT, 'refused by test'); END;");
            var engine = Engine(new FakeTimeProvider(T0), store);
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
            {
                for (var i = t; i < 96; i += 16)
                {
                    try
                    {
                        EngineDriver.RunToEnd(engine, i == 7 ? "bad-7" : $"good-{i}");
                    }
                    catch (LocalEngineException ex)
                    {
                        failures.Add($"{i}:{ex.StatusCode}");
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.That(failures, Is.EqualTo(new[] { "7:500" }));
        }

        using (var reopened = new SqliteEngineStateStore(Db))
        {
            var engine = Engine(new FakeTimeProvider(T0), reopened);
            var listed = engine.ListExecutions();
            Assert.That(listed, Has.Count.EqualTo(95));
            Assert.That(listed.All(e => e.Status == ExecutionStatus.Succeeded), Is.True);
            foreach (var e in listed)
            {
                Assert.That(engine.GetHistory(e.DurableExecutionArn).Select(h => h.EventType), Is.EqualTo(EngineDriver.RunToEndHistory), e.DurableExecutionName);
            }
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Every_acknowledged_save_is_in_the_files_a_killed_process_leaves(bool syncEachCommit)
    {
        // What kill -9 leaves: the database and write-ahead log as they are at one instant, never closed or checkpointed.
        // The copy is taken while 16 threads keep saving (group commit), between two transactions; every execution whose
        // last save was acknowledged by then must be in the copy, complete.
        var crash = Path.Combine(Folder, "crash.db");
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        string[] ended = [];
        using (var store = new SqliteEngineStateStore(Db, syncEachCommit: syncEachCommit))
        {
            Assert.That(store.SyncEachCommit, Is.EqualTo(syncEachCommit));
            Assert.That(store.Synchronous, Is.EqualTo(1L), "SQLite itself never syncs at commit (synchronous=NORMAL): the store syncs the log after each commit when asked to");
            var engine = Engine(new FakeTimeProvider(T0), store);
            var copied = 0;
            var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
            {
                for (var i = t; Volatile.Read(ref copied) == 0 || i < 16 * 4; i += 16)
                {
                    var name = $"run-{i}";
                    acknowledged[name] = EngineDriver.RunToEnd(engine, name);
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            SpinWait.SpinUntil(() => acknowledged.Count >= 40);
            store.WhileNoCommit(() =>
            {
                ended = acknowledged.Keys.ToArray();
                File.Copy(Db, crash);
                if (File.Exists(Db + "-wal"))
                {
                    File.Copy(Db + "-wal", crash + "-wal");
                }

                Volatile.Write(ref copied, 1);
            });
            threads.ForEach(t => t.Join());
            Assert.That(store.LogSyncs, syncEachCommit ? Is.GreaterThan(0) : Is.Zero, "the log is synced after commits only when every commit must be");
        }

        Assert.That(ended, Has.Length.GreaterThanOrEqualTo(40));
        using var reopened = new SqliteEngineStateStore(crash);
        var restarted = Engine(new FakeTimeProvider(T0), reopened);
        foreach (var name in ended)
        {
            var arn = acknowledged[name];
            Assert.That(restarted.GetExecution(arn).Status, Is.EqualTo(ExecutionStatus.Succeeded), name);
            Assert.That(restarted.GetHistory(arn).Select(h => h.EventType), Is.EqualTo(EngineDriver.RunToEndHistory), name);
        }
    }

    private static LocalDurableEngine Engine(TimeProvider clock, SqliteEngineStateStore store, int cached = 1_000, int? retentionDays = null)
        => new(clock, new LocalEngineOptions { CachedEndedExecutions = cached, RetentionPeriodInDays = retentionDays }, store);

    private static int Conflict(TestDelegate start) => Assert.Throws<LocalEngineException>(start)!.StatusCode;

    private (long Executions, long Operations, long History, long Timers) Rows(string arn)
    {
        using var c = new SqliteConnection($"Data Source={Db};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT (SELECT COUNT(*) FROM executions WHERE arn = $a), (SELECT COUNT(*) FROM operations WHERE arn = $a),
                   (SELECT COUNT(*) FROM history_events WHERE arn = $a), (SELECT COUNT(*) FROM timers WHERE arn = $a)
            """;
        cmd.Parameters.AddWithValue("$a", arn);
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
    }

    private void Execute(string sql) => SqliteFiles.Execute(Db, sql);
}
