using Durable.Fluent.Checkpointing;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// A local durable service on a fake clock, its HTTP client, and helpers that drive an execution by advancing the clock.
/// Its functions checkpoint over HTTP unless <c>invokeOverHttp: false</c> (the service's own default) is passed: most
/// service tests are about the REST API and the client; <see cref="BothCheckpointPaths"/> runs a fixture on both paths.
/// </summary>
internal sealed class ServiceHarness : IAsyncDisposable
{
    public ServiceHarness(string? databasePath = null, FakeTimeProvider? clock = null, Action<LocalDurableService>? register = null, bool invokeOverHttp = true, TimeSpan? stalledRequestTimeout = null, TimeSpan? synchronousInvocationTimeout = null, Func<LocalDurableServiceOptions, LocalDurableServiceOptions>? configure = null)
    {
        Clock = clock ?? new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var options = new LocalDurableServiceOptions
        {
            DatabasePath = databasePath,
            TimeProvider = Clock,
            InvokeOverHttp = invokeOverHttp,
            StalledRequestTimeout = stalledRequestTimeout ?? LocalDurableServiceOptions.DefaultStalledRequestTimeout,
            SynchronousInvocationTimeout = synchronousInvocationTimeout ?? TimeSpan.FromMinutes(15),
        };
        Service = new LocalDurableService(configure is null ? options : configure(options));
        register?.Invoke(Service);
        Service.Start();
        Client = Service.CreateClient();
        Http = new HttpClient { BaseAddress = Service.Endpoint };
    }

    public FakeTimeProvider Clock { get; }

    public LocalDurableService Service { get; }

    public LambdaDurableExecutionClient Client { get; }

    public HttpClient Http { get; }

    /// <summary>Waits for the execution to go idle, then advances the fake clock to each next operation timer (not the execution timeout) until it ends or nothing is armed.</summary>
    public async Task<GetDurableExecutionResponse> DriveAsync(string arn, int maxTimers = 50)
    {
        for (var i = 0; i < maxTimers; i++)
        {
            await Service.WaitForIdleAsync(arn);
            var execution = await Client.GetDurableExecutionAsync(arn);
            if (execution.Status != ExecutionStatus.Running || Service.Engine.NextOperationTimerDue(arn) is not { } due)
            {
                return execution;
            }

            if (due > Clock.GetUtcNow())
            {
                Clock.SetUtcNow(due);
            }
            else
            {
                Service.Notify(arn);
            }
        }

        throw new InvalidOperationException("The execution did not settle.");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Client.Dispose();
        await Service.DisposeAsync();
    }
}

/// <summary>A hand-written durable handler that creates one callback and finishes with its outcome (the callback node is on another branch).</summary>
internal sealed class CallbackHandler
{
    public int HeartbeatTimeoutSeconds { get; init; }

    public int TimeoutSeconds { get; init; }

    public int SideEffects;

    public string? CallbackId { get; private set; }

    public async Task<DurableExecutionInvocationOutput> HandleAsync(DurableExecutionInvocationInput input, ICheckpointStore store, CancellationToken ct)
    {
        var ops = input.InitialExecutionState?.Operations ?? [];
        var token = input.CheckpointToken!;
        if (!ops.Any(o => o.Id == "step-1"))
        {
            Interlocked.Increment(ref SideEffects);
            var r = await store.CheckpointAsync(input.DurableExecutionArn!, token, [
                new OperationUpdate { Id = "step-1", Type = OperationType.Step, SubType = "Step", Name = "before", Action = OperationAction.Start },
                new OperationUpdate { Id = "step-1", Type = OperationType.Step, SubType = "Step", Name = "before", Action = OperationAction.Succeed, Payload = "1" },
            ], ct);
            token = r.CheckpointToken!;
        }

        var cb = ops.FirstOrDefault(o => o.Id == "cb-1");
        if (cb is null)
        {
            var r = await store.CheckpointAsync(input.DurableExecutionArn!, token, [
                new OperationUpdate
                {
                    Id = "cb-1", Type = OperationType.Callback, SubType = "Callback", Name = "approval", Action = OperationAction.Start,
                    CallbackOptions = new CallbackOptions { TimeoutSeconds = TimeoutSeconds, HeartbeatTimeoutSeconds = HeartbeatTimeoutSeconds },
                },
            ], ct);
            CallbackId = r.NewExecutionState.Operations!.Single(o => o.Id == "cb-1").CallbackDetails!.CallbackId;
            return new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending };
        }

        CallbackId = cb.CallbackDetails?.CallbackId;
        return cb.Status switch
        {
            OperationStatus.Started => new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending },
            OperationStatus.Succeeded => new DurableExecutionInvocationOutput { Status = InvocationStatus.Succeeded, Result = cb.CallbackDetails!.Result },
            _ => new DurableExecutionInvocationOutput { Status = InvocationStatus.Failed, Error = cb.CallbackDetails!.Error },
        };
    }
}

/// <summary>
/// A service on a fake clock with one execution of <c>cb</c> (a <see cref="CallbackHandler"/>) suspended on its callback,
/// and the paths and state snapshots the HTTP tests use.
/// </summary>
public abstract class CallbackExecutionFixture
{
    protected const string Api = "/2025-12-01";

    private protected ServiceHarness H { get; private set; } = null!;

    private protected CallbackHandler Handler { get; private set; } = null!;

    protected string Arn { get; private set; } = null!;

    /// <summary>The stall timeout of the service, when a fixture needs a short one.</summary>
    protected virtual TimeSpan? StalledRequestTimeout => null;

    [SetUp]
    public async Task StartServiceAsync()
    {
        Handler = new CallbackHandler();
        H = new ServiceHarness(register: s => s.Register("cb", Handler.HandleAsync), stalledRequestTimeout: StalledRequestTimeout);
        Arn = H.Service.StartExecution("cb", null, GetType().Name.ToLowerInvariant());
        await H.Service.WaitForIdleAsync(Arn);
    }

    [TearDown]
    public async Task StopServiceAsync() => await H.DisposeAsync();

    protected static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    protected string ArnPath(string? action) => Api + "/durable-executions/" + Uri.EscapeDataString(Arn) + (action is null ? string.Empty : "/" + action);

    protected string CallbackPath(string action) => $"{Api}/durable-execution-callbacks/{Uri.EscapeDataString(Handler.CallbackId!)}/{action}";

    /// <summary>The execution as the engine holds it (status, operations, history length): equal before and after a refused request.</summary>
    protected string Snapshot() => System.Text.Json.JsonSerializer.Serialize(new
    {
        Execution = H.Service.Engine.GetExecution(Arn),
        Operations = H.Service.Engine.GetOperations(Arn),
        Events = H.Service.Engine.GetHistory(Arn).Count,
    }, WireJson.Rest);
}

/// <summary>
/// A fixture that runs each of its tests twice: with the service's default checkpoint path for the functions it hosts
/// (in-process) and over HTTP (<see cref="LocalDurableServiceOptions.InvokeOverHttp"/>); <see cref="NewHarness"/> builds
/// the service on the fixture's path. (<see cref="ServiceHarness"/> alone checkpoints over HTTP: most service tests are
/// about the REST API and the client.)
/// </summary>
[TestFixture(false)]
[TestFixture(true)]
public abstract class BothCheckpointPaths(bool invokeOverHttp)
{
    /// <summary>Whether this run's functions checkpoint over HTTP.</summary>
    protected bool InvokeOverHttp => invokeOverHttp;

    private protected ServiceHarness NewHarness(string? databasePath = null, FakeTimeProvider? clock = null, Action<LocalDurableService>? register = null)
        => new(databasePath, clock, register, invokeOverHttp);
}

/// <summary>A fresh temporary folder per test for SQLite files, removed afterwards.</summary>
public abstract class TempFolderFixture
{
    protected string Folder { get; private set; } = null!;

    [SetUp]
    public void CreateFolder()
    {
        Folder = TempPaths.Unique("durable-fluent-" + GetType().Name);
        Directory.CreateDirectory(Folder);
    }

    [TearDown]
    public void DeleteFolder()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
