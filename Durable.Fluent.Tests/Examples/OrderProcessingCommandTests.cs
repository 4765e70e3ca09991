using System.Diagnostics;
using Durable.Fluent.LocalService;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Tests.LocalService;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.Examples;

/// <summary>
/// The order example's read-and-answer commands, run as the user runs them (a separate process on a SQLite file):
/// <c>--list</c> and <c>--send-callback</c> leave stored executions alone (no timer fired, no invocation begun or left
/// open), and a refused callback is a clear message with a non-zero exit code, not a stack trace.
/// </summary>
[NonParallelizable]
public class OrderProcessingCommandTests : TempFolderFixture
{
    private const string Function = "order-processor";
    private string Db => Path.Combine(Folder, "orders.db");

    [Test]
    public async Task List_prints_the_stored_executions_without_resuming_them()
    {
        // Suspended on a wait that fell due an hour ago (well within the execution's timeout): a service that resumes
        // executions would fire it at once.
        var workflow = Workflow.For<string>().Wait("nap", TimeSpan.FromSeconds(10)).Then("after", (s, _) => s).Build();
        string arn;
        await using (var service = new LocalDurableService(new LocalDurableServiceOptions { DatabasePath = Db, TimeProvider = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1)) }))
        {
            service.Register(Function, workflow).Start();
            arn = service.StartExecution(Function, "\"x\"", "overdue-order");
            await service.WaitForIdleAsync(arn);
        }

        var before = Events(arn);
        var (exit, output, error) = await RunExampleAsync("--list", "--db", Db);

        Assert.That(exit, Is.Zero, error);
        Assert.That(output, Does.Contain("overdue-order").And.Contain("RUNNING"));
        Assert.That(Events(arn), Is.EqualTo(before), "no timer fired and no invocation ran");
        Assert.That(InFlight(arn), Is.False);
    }

    [Test]
    public async Task Send_callback_records_the_answer_without_running_anything_and_a_second_answer_is_refused_cleanly()
    {
        var handler = new CallbackHandler();
        string arn;
        await using (var service = new LocalDurableService(new LocalDurableServiceOptions { DatabasePath = Db }))
        {
            service.Register(Function, handler.HandleAsync).Start();
            arn = service.StartExecution(Function, null, "awaiting-approval");
            await service.WaitForIdleAsync(arn);
        }

        var invocations = Events(arn).Count(e => e == "InvocationCompleted");
        var (exit, output, error) = await RunExampleAsync("--send-callback", handler.CallbackId!, "{\"approved\":true,\"by\":\"you\"}", "--db", Db);

        Assert.That(exit, Is.Zero, output + error);
        Assert.That(output, Does.Contain("awaiting-approval").And.Contain("--resume"));
        Assert.That(Events(arn), Does.Contain("CallbackSucceeded"));
        Assert.That(Events(arn).Count(e => e == "InvocationCompleted"), Is.EqualTo(invocations), "the execution was not invoked by this command");
        Assert.That(InFlight(arn), Is.False, "no invocation was left open");

        var (again, againOut, againErr) = await RunExampleAsync("--send-callback", handler.CallbackId!, "{\"approved\":false}", "--db", Db);
        Assert.That(again, Is.Not.Zero);
        Assert.That(againErr, Does.Contain("already"));
        Assert.That(againOut + againErr, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "));

        var (unknown, _, unknownErr) = await RunExampleAsync("--send-callback", "bm90LWlzc3VlZA==", "{}", "--db", Db);
        Assert.That(unknown, Is.Not.Zero);
        Assert.That(unknownErr, Does.Contain("No callback"));
    }

    [Test]
    public async Task List_on_a_missing_store_says_so_and_creates_nothing()
    {
        var (exit, _, error) = await RunExampleAsync("--list", "--db", Db);
        Assert.That(exit, Is.Not.Zero);
        Assert.That(error, Does.Contain(Db));
        Assert.That(File.Exists(Db), Is.False);
    }

    private List<string> Events(string arn)
    {
        using var store = new SqliteEngineStateStore(Db);
        var engine = new LocalDurableEngine(TimeProvider.System, new LocalEngineOptions(), store);
        return engine.GetHistory(arn).Select(e => e.EventType.ToString()).ToList();
    }

    private bool InFlight(string arn)
    {
        using var store = new SqliteEngineStateStore(Db);
        return new LocalDurableEngine(TimeProvider.System, new LocalEngineOptions(), store).IsInvocationInFlight(arn);
    }

    private async Task<(int Exit, string Output, string Error)> RunExampleAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "OrderProcessing.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await output, await error);
    }
}
