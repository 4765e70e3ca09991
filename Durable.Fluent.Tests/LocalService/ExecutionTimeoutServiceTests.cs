using Durable.Fluent.LocalService;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>Issue 10, defect 7 on the local durable service: the execution deadline is stored, survives a restart and fires on time.</summary>
public class ExecutionTimeoutServiceTests(bool invokeOverHttp) : BothCheckpointPaths(invokeOverHttp)
{
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private string _dir = null!;

    private string Db => Path.Combine(_dir, "durable.db");

    [SetUp]
    public void SetUp()
    {
        _dir = TempPaths.Unique("durable-fluent-timeout");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task The_deadline_survives_a_restart_and_times_the_execution_out_when_it_passes()
    {
        var afterRuns = 0;
        var workflow = Workflow.For<string>()
            .Wait("two_days", TimeSpan.FromDays(2))
            .Then("after", (s, _) => { Interlocked.Increment(ref afterRuns); return s; })
            .Build();
        var clock = new FakeTimeProvider(Start);
        string arn;
        await using (var first = NewHarness(Db, clock, s => s.Register("fn", workflow)))
        {
            arn = first.Service.StartExecution("fn", "\"x\"", "deadline-survivor", "$LATEST", 3600);
            await first.Service.WaitForIdleAsync(arn);
            Assert.That(first.Service.Engine.NextTimerDue(arn), Is.EqualTo(Start.AddHours(1)), "the deadline comes before the wait's end");
        }

        clock.SetUtcNow(Start.AddMinutes(30));
        await using var second = NewHarness(Db, clock, s => s.Register("fn", workflow));
        Assert.That(second.Service.Engine.NextTimerDue(arn), Is.EqualTo(Start.AddHours(1)), "the deadline was reloaded from the file");
        Assert.That((await second.Client.GetDurableExecutionAsync(arn)).Status, Is.EqualTo(ExecutionStatus.Running));

        clock.SetUtcNow(Start.AddHours(1)); // the restarted service's timer for the deadline fires
        await second.Service.WaitForIdleAsync(arn);

        var done = await second.Client.GetDurableExecutionAsync(arn);
        Assert.That(done.Status, Is.EqualTo(ExecutionStatus.TimedOut));
        Assert.That(done.Error!.ErrorType, Is.EqualTo("Execution.Timeout"));
        var history = (await second.Client.GetDurableExecutionHistoryAsync(arn)).Events;
        Assert.That(history[0].Details.ExecutionTimeout, Is.EqualTo(3600));
        Assert.That(history[^1].EventType, Is.EqualTo(HistoryEventType.ExecutionTimedOut));
        Assert.That(history[^1].EventTimestamp, Is.EqualTo(Start.AddHours(1)));
        Assert.That(history.Select(e => e.EventType), Has.No.Member(HistoryEventType.WaitSucceeded));
        Assert.That(afterRuns, Is.Zero);
    }

    [Test]
    public void A_file_written_before_the_timeout_column_existed_still_loads_with_no_deadline()
    {
        var clock = new FakeTimeProvider(Start);
        string arn;
        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = new LocalDurableEngine(clock, new LocalEngineOptions(), store);
            arn = engine.StartExecution(new StartExecutionRequest { ExecutionName = "old", ExecutionTimeoutSeconds = 60 });
        }

        SqliteFiles.Execute(Db, "ALTER TABLE executions DROP COLUMN execution_timeout_seconds");

        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = new LocalDurableEngine(clock, new LocalEngineOptions(), store);
            Assert.That(engine.Deadline(arn), Is.Null, "an execution stored without a timeout has none");
            clock.Advance(TimeSpan.FromDays(400));
            Assert.That(engine.GetExecution(arn).Status, Is.EqualTo(ExecutionStatus.Running));
        }

        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = new LocalDurableEngine(clock, new LocalEngineOptions(), store);
            var fresh = engine.StartExecution(new StartExecutionRequest { ExecutionName = "new", ExecutionTimeoutSeconds = 60 });
            Assert.That(engine.Deadline(fresh), Is.EqualTo(clock.GetUtcNow().AddSeconds(60)), "the column was added back and is written");
        }

        using (var store = new SqliteEngineStateStore(Db))
        {
            var engine = new LocalDurableEngine(clock, new LocalEngineOptions(), store);
            var fresh = engine.ListExecutions().Single(e => e.DurableExecutionName == "new").DurableExecutionArn;
            Assert.That(engine.Deadline(fresh), Is.EqualTo(clock.GetUtcNow().AddSeconds(60)));
        }
    }
}
