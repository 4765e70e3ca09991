using System.Net;
using System.Text.Json;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// Issue 13, item 4: the local service's retention period (RetentionPeriodInDays, default 14) on a fake clock. The sweep runs
/// on the injected TimeProvider, purges the ended executions past their retention from memory and from the file, and the
/// REST API then answers 404 for them, as AWS does; per function and per start request periods; nothing per execution is
/// left behind (workers, ClientToken entries).
/// </summary>
public class RetentionServiceTests : TempFolderFixture
{
    private static readonly Workflow<int, int> AddOne = Workflow.For<int>().Then("add", (v, _) => v + 1).Build();

    [TestCase(false)]
    [TestCase(true)]
    public async Task The_sweep_purges_an_ended_execution_after_the_default_14_days_and_the_api_answers_404(bool sqlite)
    {
        await using var h = new ServiceHarness(sqlite ? Path.Combine(Folder, "retention.db") : null, register: s => s.Register("add", AddOne));
        var arn = h.Service.StartExecution("add", "1", "short-lived");
        var done = await h.DriveAsync(arn);
        Assert.That(done.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(h.Service.WorkerCount, Is.Zero, "the worker of an ended execution is gone");

        h.Clock.Advance(TimeSpan.FromDays(14) - TimeSpan.FromMinutes(1));
        await h.Service.RetentionSweep;
        Assert.That((await h.Client.GetDurableExecutionAsync(arn)).Status, Is.EqualTo(ExecutionStatus.Succeeded), "kept for 14 days");

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await h.Service.RetentionSweep;

        Assert.That(h.Service.Engine.LoadedExecutions, Is.Zero, "purged from memory by the sweep, not by a read");
        using var response = await h.Http.GetAsync("/2025-12-01/durable-executions/" + Uri.EscapeDataString(arn));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("ResourceNotFoundException"));
        using var history = await h.Http.GetAsync("/2025-12-01/durable-executions/" + Uri.EscapeDataString(arn) + "/history");
        Assert.That(history.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using var list = await h.Http.GetAsync("/2025-12-01/functions/add/durable-executions");
        Assert.That(await list.Content.ReadAsStringAsync(), Does.Not.Contain("short-lived"));
    }

    [Test]
    public async Task A_function_period_and_a_start_request_period_override_the_service_default()
    {
        var db = Path.Combine(Folder, "periods.db");
        await using var h = new ServiceHarness(db, register: s => s.Register("add", AddOne).Register("other", AddOne).SetRetentionPeriod("add", 2), configure: o => o with { RetentionPeriodInDays = 30 });
        var byFunction = h.Service.StartExecution("add", "1", "by-function");
        using var started = await h.Http.PostAsync("/start-durable-execution", Json("""{"FunctionName":"other","ExecutionName":"by-request","Input":"1","ExecutionRetentionPeriodDays":5}"""));
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var byRequest = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("DurableExecutionArn").GetString()!;
        var byDefault = h.Service.StartExecution("other", "1", "by-default");
        foreach (var arn in new[] { byFunction, byRequest, byDefault })
        {
            Assert.That((await h.DriveAsync(arn)).Status, Is.EqualTo(ExecutionStatus.Succeeded));
        }

        Assert.That(await PurgedAfterAsync(h, TimeSpan.FromDays(2)), Is.EqualTo(new[] { "by-request", "by-default" }), "after 2 days");
        Assert.That(await PurgedAfterAsync(h, TimeSpan.FromDays(3)), Is.EqualTo(new[] { "by-default" }), "after 5 days");
        Assert.That(await PurgedAfterAsync(h, TimeSpan.FromDays(25)), Is.Empty, "after 30 days");
    }

    [TestCase(0)]
    [TestCase(91)]
    public async Task A_start_request_period_outside_1_to_90_days_is_a_400(int days)
    {
        await using var h = new ServiceHarness(register: s => s.Register("add", AddOne));
        using var response = await h.Http.PostAsync("/start-durable-execution", Json($$"""{"FunctionName":"add","ExecutionName":"bad","ExecutionRetentionPeriodDays":{{days}}}"""));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("InvalidParameterValueException").And.Contain("ExecutionRetentionPeriodDays"));
        Assert.That(h.Service.Engine.ListExecutions(), Is.Empty);
    }

    [Test]
    public void Service_and_function_periods_outside_1_to_90_days_are_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new LocalDurableService(new LocalDurableServiceOptions { RetentionPeriodInDays = 91 }));
        Assert.That(ex!.Message, Does.Contain("RetentionPeriodInDays"));
        Assert.Throws<ArgumentException>(() => _ = new LocalDurableService(new LocalDurableServiceOptions { RetentionSweepInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => _ = new LocalDurableService(new LocalDurableServiceOptions { CachedEndedExecutions = -1 }));
        var service = new LocalDurableService();
        Assert.Throws<ArgumentOutOfRangeException>(() => service.SetRetentionPeriod("fn", 0));
        Assert.Throws<ArgumentException>(() => service.SetRetentionPeriod("bad name", 3));
    }

    [Test]
    public async Task The_sweep_forgets_client_token_answers_after_their_15_minutes()
    {
        await using var h = new ServiceHarness(register: s => s.Register("add", AddOne));
        h.Service.Idempotency.Remember("arn-1", "token-1", [1], [2]);
        h.Service.Idempotency.Remember("arn-2", "token-2", [1], [2]);
        h.Clock.Advance(TimeSpan.FromMinutes(14));
        await h.Service.RetentionSweep;
        Assert.That(h.Service.Idempotency.Count, Is.EqualTo(2));

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await h.Service.RetentionSweep;

        Assert.That(h.Service.Idempotency.Count, Is.Zero);
    }

    /// <summary>Advances the clock, waits for the sweep it triggers, and returns the executions still listed.</summary>
    private static async Task<List<string>> PurgedAfterAsync(ServiceHarness h, TimeSpan advance)
    {
        h.Clock.Advance(advance);
        await h.Service.RetentionSweep;
        return h.Service.Engine.ListExecutions().Select(e => e.DurableExecutionName).ToList();
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
