using Durable.Fluent.LocalService;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Tests.Testing;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// The SQLite store's group commit (issue 13, item 5): saves that queue up while a transaction is in progress go together in
/// the next one; a save the database refuses fails alone, its batch mates are written; closing the store still writes the
/// saves queued before it and refuses later ones with a typed error; with SyncEachCommit a save is answered only once the
/// write-ahead log is synced, the writer commits the next batch meanwhile, and a failed sync fails the saves it carried
/// (the execution then goes on from the file). The batching tests hold the write lock
/// (<see cref="SqliteEngineStateStore.WhileNoCommit"/>) while the saves queue, so the batch is the same on every run.
/// </summary>
public class GroupCommitTests : TempFolderFixture
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private string Db => Path.Combine(Folder, "group.db");

    [Test]
    public void Saves_queued_during_a_commit_are_written_together_in_the_next_transaction()
    {
        string[] names = Enumerable.Range(0, 8).Select(i => $"queued-{i}").ToArray();
        long batches;
        using (var store = new SqliteEngineStateStore(Db) { CommitOnCallerWhenIdle = false })
        {
            var engine = Engine(store);
            var started = StartWhileCommitHeld(store, engine, names, out batches);
            Assert.That(started.Values.Where(v => v.Error is not null).Select(v => v.Error!.Message), Is.Empty);
            Assert.That(store.Batches - batches, Is.EqualTo(1), "the 8 saves that queued behind the held commit went in one transaction");
        }

        using var reopened = new SqliteEngineStateStore(Db);
        Assert.That(names.Select(n => reopened.FindByName("fn", n) is not null), Is.All.True, "every acknowledged save is in the file");
    }

    [Test]
    public void A_save_the_database_refuses_fails_alone_and_its_batch_mates_are_written()
    {
        string[] names = Enumerable.Range(0, 8).Select(i => $"mate-{i}").ToArray();
        using (var store = new SqliteEngineStateStore(Db) { CommitOnCallerWhenIdle = false })
        {
            Execute("CREATE TRIGGER refuse BEFORE INSERT ON executions WHEN NEW.name = 'mate-5' BEGIN SELECT RAISE(ABORT, 'refused by test'); END;");
            var engine = Engine(store);
            var started = StartWhileCommitHeld(store, engine, names, out var batches);

            Assert.That(store.Batches - batches, Is.EqualTo(1), "all 8 were taken into one transaction");
            Assert.That(started.Where(kv => kv.Value.Error is not null).Select(kv => kv.Key), Is.EqualTo(new[] { "mate-5" }));
            var refused = (LocalEngineException)started["mate-5"].Error!;
            Assert.That(refused.StatusCode, Is.EqualTo(500));
            Assert.That(refused.Message, Does.Contain("refused by test"), "the refused save gets its own error, not its batch's");
        }

        using var reopened = new SqliteEngineStateStore(Db);
        Assert.That(names.Where(n => reopened.FindByName("fn", n) is not null), Is.EqualTo(names.Where(n => n != "mate-5")));
    }

    [Test]
    public void Closing_the_store_writes_the_saves_queued_before_it_and_refuses_later_ones()
    {
        string[] names = Enumerable.Range(0, 4).Select(i => $"closing-{i}").ToArray();
        var store = new SqliteEngineStateStore(Db) { CommitOnCallerWhenIdle = false };
        var engine = Engine(store);
        var results = new System.Collections.Concurrent.ConcurrentDictionary<string, Exception?>();
        var savers = names.Select(name => Background(() =>
        {
            try
            {
                engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = name, InputPayload = "1" });
                results[name] = null;
            }
            catch (LocalEngineException ex)
            {
                results[name] = ex;
            }
        })).ToList();
        var closer = Background(store.Dispose);
        store.WhileNoCommit(() =>
        {
            savers.ForEach(t => t.Start());
            Assert.That(SpinWait.SpinUntil(() => store.QueuedSaves == names.Length, Patience), Is.True, "the saves queued behind the held commit");
            closer.Start();
            Assert.That(SpinWait.SpinUntil(() => store.Closed, Patience), Is.True, "Dispose began while the saves were pending");
        });
        Assert.That(closer.Join(Patience), Is.True, "Dispose returned once the pending saves were written");
        Assert.That(savers.All(t => t.Join(Patience)), Is.True, "every caller got its save's outcome");

        Assert.That(results.Where(kv => kv.Value is not null).Select(kv => kv.Value!.Message), Is.Empty, "a save queued before Dispose is written, not failed");
        var late = new ExecutionRecord("arn:late", "late", "fn", "arn:fn", "$LATEST", T0) { ExecutionOperationId = "exec" };
        Assert.Throws<ObjectDisposedException>(() => store.SaveAsync(late), "a save after Dispose is refused with a typed error");

        using var reopened = new SqliteEngineStateStore(Db);
        Assert.That(names.Select(n => reopened.FindByName("fn", n) is not null), Is.All.True, "every save acknowledged before the close is in the file");
    }

    [Test]
    public async Task A_save_is_answered_only_once_the_log_is_synced_and_the_writer_commits_the_next_batch_meanwhile()
    {
        using var syncing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using (var store = new SqliteEngineStateStore(Db) { CommitOnCallerWhenIdle = false, SyncOnWriterWhenIdle = false })
        {
            store.BeforeLogSync = () =>
            {
                syncing.Set();
                release.Wait(Patience);
            };
            var engine = Engine(store);
            try
            {
                var first = engine.StartExecutionAsync(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "first", InputPayload = "1" });
                Assert.That(syncing.Wait(Patience), Is.True, "the first commit reached the log sync");
                Assert.That(first.IsCompleted, Is.False, "committed but not yet synced: not answered");

                var batches = store.Batches;
                var second = engine.StartExecutionAsync(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "second", InputPayload = "1" });
                Assert.That(SpinWait.SpinUntil(() => store.Batches > batches, Patience), Is.True, "the writer committed the next save while the first one's sync was in progress");
                Assert.That(second.IsCompleted, Is.False, "the second save waits for a sync too");

                // One batch ahead at most: while the second waits for the syncer, a third save queues instead of being committed.
                batches = store.Batches;
                var third = engine.StartExecutionAsync(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "third", InputPayload = "1" });
                Assert.That(SpinWait.SpinUntil(() => store.Batches > batches, TimeSpan.FromMilliseconds(300)), Is.False, "no transaction while a committed batch waits for the syncer");
                Assert.That(store.QueuedSaves, Is.EqualTo(1));

                store.BeforeLogSync = null;
                release.Set();
                Assert.That(await first.WaitAsync(Patience), Does.Contain("/durable-execution/first/"));
                Assert.That(await second.WaitAsync(Patience), Does.Contain("/durable-execution/second/"));
                Assert.That(await third.WaitAsync(Patience), Does.Contain("/durable-execution/third/"));
                Assert.That(store.LogSyncs, Is.GreaterThanOrEqualTo(1));
            }
            finally
            {
                store.BeforeLogSync = null;
                release.Set(); // a failed assertion must not leave the syncer (and Dispose) waiting
            }
        }

        using var reopened = new SqliteEngineStateStore(Db);
        Assert.That(new[] { "first", "second", "third" }.Select(n => reopened.FindByName("fn", n) is not null), Is.All.True);
    }

    [Test]
    public void A_lone_save_is_written_on_its_callers_thread_else_the_writer_syncs_it_or_hands_it_to_the_syncer()
    {
        var threads = new System.Collections.Concurrent.ConcurrentBag<string?>();
        using var store = new SqliteEngineStateStore(Db);
        var caller = Environment.CurrentManagedThreadId;
        store.BeforeLogSync = () => threads.Add(Environment.CurrentManagedThreadId == caller ? "the caller" : Thread.CurrentThread.Name);
        var engine = Engine(store);
        var batches = store.Batches;
        var arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "idle", InputPayload = "1" });
        Assert.That(threads, Is.EqualTo(new[] { "the caller" }), "nothing else in progress: the caller wrote and synced its save itself");
        Assert.That(store.Batches - batches, Is.EqualTo(1));

        threads.Clear();
        store.CommitOnCallerWhenIdle = false;
        var token = engine.BeginInvocation(arn).CheckpointToken!;
        Assert.That(threads, Is.EqualTo(new[] { "Durable.Fluent SQLite writer" }), "queued, and nothing else to write: the writer synced its commit itself");

        threads.Clear();
        store.SyncOnWriterWhenIdle = false;
        engine.Checkpoint(arn, token, []);
        Assert.That(threads, Is.EqualTo(new[] { "Durable.Fluent SQLite log sync" }));
        Assert.That(store.LogSyncs, Is.EqualTo(3));
    }

    [Test]
    public void Closing_the_store_waits_for_a_save_its_caller_is_writing()
    {
        using var syncing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var store = new SqliteEngineStateStore(Db);
        store.BeforeLogSync = () =>
        {
            syncing.Set();
            release.Wait(Patience);
        };
        var engine = Engine(store);
        Exception? saveError = null;
        var saver = Background(() =>
        {
            try
            {
                engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "in-flight", InputPayload = "1" });
            }
            catch (Exception ex)
            {
                saveError = ex;
            }
        });
        var closer = Background(store.Dispose);
        try
        {
            saver.Start();
            Assert.That(syncing.Wait(Patience), Is.True, "the lone save is being synced on its caller's thread");
            closer.Start();
            Assert.That(SpinWait.SpinUntil(() => store.Closed, Patience), Is.True);
            Assert.That(closer.Join(TimeSpan.FromMilliseconds(300)), Is.False, "Dispose waits for the save its caller is writing");
        }
        finally
        {
            release.Set();
        }

        Assert.That(closer.Join(Patience) && saver.Join(Patience), Is.True);
        Assert.That(saveError, Is.Null, "the save finished before the store closed");
        using var reopened = new SqliteEngineStateStore(Db);
        Assert.That(reopened.FindByName("fn", "in-flight"), Is.Not.Null);
    }

    [Test]
    public void A_failed_log_sync_fails_the_saves_it_carried_and_the_execution_goes_on_from_the_file()
    {
        using var store = new SqliteEngineStateStore(Db);
        var engine = Engine(store);
        var arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "unsynced", InputPayload = "1" });
        store.BeforeLogSync = () => throw new IOException("sync refused by test");

        var failed = Assert.Throws<LocalEngineException>(() => engine.BeginInvocation(arn))!;
        Assert.That(failed.StatusCode, Is.EqualTo(500));
        Assert.That(failed.Message, Does.Contain(arn).And.Contain("could not sync the write-ahead log").And.Contain(Db).And.Contain("sync refused by test"));

        store.BeforeLogSync = null;
        var input = engine.BeginInvocation(arn);
        Assert.That(input.CheckpointToken, Is.Not.Empty, "the execution was reloaded from the file and runs on");
        Assert.That(engine.GetExecution(arn).Status, Is.EqualTo(ExecutionStatus.Running));
    }

    [Test]
    public void Without_sync_at_each_commit_the_store_never_syncs_the_log_itself()
    {
        using var store = new SqliteEngineStateStore(Db, syncEachCommit: false);
        store.BeforeLogSync = () => Assert.Fail("the log was synced after a commit although SyncEachCommit is off");
        var engine = Engine(store);
        var arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "nosync", InputPayload = "1" });
        engine.BeginInvocation(arn);
        Assert.That(store.LogSyncs, Is.Zero);
    }

    /// <summary>
    /// Starts one execution per name, each on its own thread, while the test holds the write lock; releases it once all
    /// their saves are queued. Returns each name's outcome; <paramref name="batches"/> is the writer's count before.
    /// </summary>
    private static Dictionary<string, (string? Arn, Exception? Error)> StartWhileCommitHeld(SqliteEngineStateStore store, LocalDurableEngine engine, string[] names, out long batches)
    {
        var results = new System.Collections.Concurrent.ConcurrentDictionary<string, (string?, Exception?)>();
        var threads = names.Select(name => Background(() =>
        {
            try
            {
                results[name] = (engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = name, InputPayload = "1" }), null);
            }
            catch (LocalEngineException ex)
            {
                results[name] = (null, ex);
            }
        })).ToList();
        long before = 0;
        store.WhileNoCommit(() =>
        {
            before = store.Batches;
            threads.ForEach(t => t.Start());
            Assert.That(SpinWait.SpinUntil(() => store.QueuedSaves == names.Length, Patience), Is.True, "the saves queued behind the held commit");
        });
        Assert.That(threads.All(t => t.Join(Patience)), Is.True, "every caller got its save's outcome");
        batches = before;
        return names.ToDictionary(n => n, n => results[n]);
    }

    /// <summary>A thread that does not keep the test host alive if the code under test leaves it waiting.</summary>
    private static Thread Background(Action body) => new(() => body()) { IsBackground = true };

    private static LocalDurableEngine Engine(SqliteEngineStateStore store)
        => new(new FakeTimeProvider(T0), new LocalEngineOptions(), store);

    private void Execute(string sql) => SqliteFiles.Execute(Db, sql);
}
