using Durable.Fluent.LocalService;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// A damaged store fails loudly and precisely: a typed <see cref="LocalStoreException"/> naming the file (and the execution,
/// when one row is bad), never a raw SqliteException or JsonException, never an empty store in place of the data, and never
/// a half-loaded execution that the service would run.
/// </summary>
public class StoreCorruptionTests : TempFolderFixture
{
    private string Db => Path.Combine(Folder, "store.db");

    [Test]
    public void A_file_that_is_not_a_sqlite_database_is_reported_with_its_path()
    {
        File.WriteAllText(Db, "these are my notes, not a database\n" + new string('x', 5000));
        var ex = Open();
        Assert.That(ex.FilePath, Is.EqualTo(Path.GetFullPath(Db)));
        Assert.That(ex.Message, Does.Contain(Path.GetFullPath(Db)).And.Contain("not a SQLite database"));
        Assert.That(ex.ExecutionArn, Is.Null);
        Assert.That(File.ReadAllText(Db), Does.StartWith("these are my notes"), "the file was not touched");
    }

    [Test]
    public void A_zero_length_file_is_not_taken_for_an_empty_store()
    {
        File.WriteAllBytes(Db, []);
        var ex = Open();
        Assert.That(ex.Message, Does.Contain(Path.GetFullPath(Db)).And.Contain("empty (0 bytes)"));
        Assert.That(new FileInfo(Db).Length, Is.Zero, "nothing was written into it");
    }

    [Test]
    public void A_damaged_database_file_is_reported_with_its_path()
    {
        CreateStore();
        var bytes = File.ReadAllBytes(Db);
        Assert.That(bytes.Length, Is.GreaterThan(8192));
        Array.Fill(bytes, (byte)0xEE, 100, bytes.Length - 100); // keep the 100-byte header, destroy every page
        File.WriteAllBytes(Db, bytes);

        var ex = Open();
        Assert.That(ex.Message, Does.Contain(Path.GetFullPath(Db)));
        Assert.That(ex.InnerException, Is.InstanceOf<SqliteException>());
    }

    [TestCase("UPDATE operations SET type = 'NOT_A_TYPE' WHERE id = 's1'", "OperationType")]
    [TestCase("UPDATE operations SET error = '{not json' WHERE id = 's1'", "operations")]
    [TestCase("UPDATE history_events SET body = '[1,2' WHERE event_id = 2", "history")]
    [TestCase("UPDATE executions SET unseen = 'oops'", "executions")]
    [TestCase("UPDATE executions SET status = 'DONE'", "ExecutionStatus")]
    public void One_bad_row_is_reported_with_the_file_and_the_execution(string damage, string where)
    {
        var arn = CreateStore();
        Execute(damage);

        var ex = Open();
        Assert.That(ex.FilePath, Is.EqualTo(Path.GetFullPath(Db)));
        Assert.That(ex.ExecutionArn, Is.EqualTo(arn));
        Assert.That(ex.Message, Does.Contain(arn).And.Contain(Path.GetFullPath(Db)));
        Assert.That(ex.Message, Does.Contain(where));
        Assert.That(ex.InnerException, Is.Not.InstanceOf<LocalStoreException>());
    }

    [TestCase("DELETE FROM operations", "operation")]
    [TestCase("DELETE FROM operations WHERE type = 'EXECUTION'", "EXECUTION operation")]
    [TestCase("DELETE FROM operations WHERE id = 's1'", "s1")]
    [TestCase("DELETE FROM history_events", "history")]
    public void An_execution_with_missing_rows_is_reported_not_loaded_as_runnable(string damage, string missing)
    {
        var arn = CreateStore();
        Execute(damage);

        var ex = Open();
        Assert.That(ex.ExecutionArn, Is.EqualTo(arn));
        Assert.That(ex.Message, Does.Contain(missing));
    }

    [Test]
    public void A_healthy_store_still_opens_and_its_execution_is_there()
    {
        var arn = CreateStore();
        using var store = new SqliteEngineStateStore(Db);
        var engine = new LocalDurableEngine(new FakeTimeProvider(), new LocalEngineOptions(), store);
        Assert.That(engine.GetOperations(arn).Select(o => o.Id), Does.Contain("s1"));
    }

    /// <summary>Opening the service on the damaged file: the typed error, not a raw one.</summary>
    private LocalStoreException Open()
    {
        Exception? thrown = null;
        try
        {
            new LocalDurableService(new LocalDurableServiceOptions { DatabasePath = Db }).DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        Assert.That(thrown, Is.InstanceOf<LocalStoreException>(), thrown?.ToString());
        return (LocalStoreException)thrown!;
    }

    /// <summary>A store with one execution: a step that succeeded and a wait, after one invocation.</summary>
    private string CreateStore()
    {
        using var store = new SqliteEngineStateStore(Db);
        var engine = new LocalDurableEngine(new FakeTimeProvider(), new LocalEngineOptions(), store);
        var arn = engine.StartExecution(new StartExecutionRequest { FunctionName = "fn", ExecutionName = "damaged", InputPayload = "{}" });
        var token = engine.BeginInvocation(arn).CheckpointToken!;
        engine.Checkpoint(arn, token, [
            new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "pay", Action = OperationAction.Start },
            new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "pay", Action = OperationAction.Fail, Error = new ErrorObject { ErrorType = "T" } },
            new OperationUpdate { Id = "w1", Type = OperationType.Wait, SubType = "Wait", Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = 30 } },
        ]);
        engine.EndInvocation(arn, InvocationOutcome.Returned(new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending }), "r1");
        return arn;
    }

    private void Execute(string sql) => Assert.That(SqliteFiles.Execute(Db, sql), Is.GreaterThan(0), "the damage hit a row");
}
