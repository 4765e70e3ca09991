using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// GetDurableExecution returns every member the API model declares that the local service can know — Version,
/// TraceHeader, DurableConfig — and what Invoke was given (X-Amz-Tenant-Id, X-Amzn-Trace-Id) is kept on the execution:
/// across a restart, and passed on to a function invoked by URL.
/// </summary>
public class ExecutionMembersTests : TempFolderFixture
{
    private const string Trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    private static readonly Workflow<string, string> Wait = Workflow.For<string>()
        .Wait("pause", TimeSpan.FromSeconds(60))
        .Then("done", (s, _) => s + "!")
        .Build();

    private static async Task<string> InvokeAsync(ServiceHarness h, string function, string name, string? tenant, string? trace, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2015-03-31/functions/{function}/invocations{query}")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("\"in\"")),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Amz-Invocation-Type", "Event");
        request.Headers.Add("X-Amz-Durable-Execution-Name", name);
        if (tenant is not null)
        {
            request.Headers.Add("X-Amz-Tenant-Id", tenant);
        }

        if (trace is not null)
        {
            request.Headers.Add("X-Amzn-Trace-Id", trace);
        }

        using var response = await h.Http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        return response.Headers.GetValues("X-Amz-Durable-Execution-Arn").Single();
    }

    [Test]
    public async Task GetDurableExecution_returns_the_version_trace_header_and_durable_config_and_the_tenant_is_kept()
    {
        await using var h = new ServiceHarness(register: s => s.Register("wait", Wait));
        var arn = await InvokeAsync(h, "wait", "members-1", tenant: "tenant-a", trace: Trace, query: "?Qualifier=live");
        await h.Service.WaitForIdleAsync(arn);

        var execution = await h.Client.GetDurableExecutionAsync(arn);

        Assert.That(execution.Version, Is.EqualTo("live"));
        Assert.That(execution.TraceHeader?.XAmznTraceId, Is.EqualTo(Trace));
        Assert.That(execution.DurableConfig, Is.EqualTo(new DurableConfig { ExecutionTimeout = 31_622_400, RetentionPeriodInDays = 14 }));
        Assert.That(h.Service.Engine.GetExecution(arn).TenantId, Is.EqualTo("tenant-a"));
        var metadata = await h.Client.GetDurableExecutionAsync(arn, includeExecutionData: false);
        Assert.That((metadata.TraceHeader?.XAmznTraceId, metadata.DurableConfig?.ExecutionTimeout), Is.EqualTo((Trace, (int?)31_622_400)), "configuration is not execution data");
    }

    [Test]
    public async Task Without_a_trace_header_none_is_returned_and_the_client_sends_the_tenant_id()
    {
        await using var h = new ServiceHarness(register: s => s.Register("wait", Wait));
        var arn = await h.Client.StartDurableExecutionAsync("wait", "\"in\"", "members-2", tenantId: "tenant-b");
        await h.Service.WaitForIdleAsync(arn);

        var execution = await h.Client.GetDurableExecutionAsync(arn);

        Assert.That(execution.TraceHeader, Is.Null);
        Assert.That(h.Service.Engine.GetExecution(arn).TenantId, Is.EqualTo("tenant-b"));
    }

    [Test]
    public async Task An_over_long_trace_header_is_refused()
    {
        await using var h = new ServiceHarness(register: s => s.Register("wait", Wait));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/wait/invocations") { Content = new StringContent("\"in\"", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("X-Amzn-Trace-Id", new string('t', 2049));

        using var response = await h.Http.SendAsync(request);

        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("X-Amzn-Trace-Id"));
    }

    [Test]
    public async Task The_tenant_id_and_trace_header_survive_a_restart_of_a_sqlite_backed_service()
    {
        var path = Path.Combine(Folder, "members.db");
        string arn;
        await using (var first = new ServiceHarness(databasePath: path, register: s => s.Register("wait", Wait)))
        {
            arn = await InvokeAsync(first, "wait", "members-3", tenant: "tenant-c", trace: Trace);
            await first.Service.WaitForIdleAsync(arn);
        }

        await using var second = new ServiceHarness(databasePath: path, register: s => s.Register("wait", Wait));
        var execution = await second.Client.GetDurableExecutionAsync(arn);

        Assert.That(execution.TraceHeader?.XAmznTraceId, Is.EqualTo(Trace));
        Assert.That(second.Service.Engine.GetExecution(arn).TenantId, Is.EqualTo("tenant-c"));
    }

    [Test]
    public async Task A_chained_invoke_starts_its_target_with_the_tenant_id_and_trace_header_of_its_options()
    {
        await using var h = new ServiceHarness(register: s => s
            .Register("wait", Wait)
            .Register("caller", async (input, store, ct) =>
            {
                await store.CheckpointAsync(input.DurableExecutionArn!, input.CheckpointToken!, [new OperationUpdate
                {
                    Id = "invoke-1",
                    Name = "call-wait",
                    Type = OperationType.ChainedInvoke,
                    SubType = OperationSubTypes.ChainedInvoke,
                    Action = OperationAction.Start,
                    Payload = "\"in\"",
                    ChainedInvokeOptions = new ChainedInvokeOptions { FunctionName = "wait:$LATEST", TenantId = "tenant-e", XAmznTraceId = Trace },
                }], ct);
                return new DurableExecutionInvocationOutput { Status = InvocationStatus.Pending };
            }));
        var caller = h.Service.StartExecution("caller", null, "members-6");
        await h.Service.WaitForIdleAsync(caller);

        var started = h.Service.Engine.GetHistory(caller).Single(e => e.EventType == HistoryEventType.ChainedInvokeStarted);
        var child = await h.Client.GetDurableExecutionAsync(started.Details.DurableExecutionArn!);

        Assert.That(started.Details.TenantId, Is.EqualTo("tenant-e"));
        Assert.That(child.TraceHeader?.XAmznTraceId, Is.EqualTo(Trace));
        Assert.That(h.Service.Engine.GetExecution(child.DurableExecutionArn!).TenantId, Is.EqualTo("tenant-e"));
    }

    [Test]
    public async Task A_function_invoked_by_url_receives_the_tenant_id_and_trace_header_of_its_execution()
    {
        await using var function = await FakeFunctionServer.StartAsync();
        function.Handler = (ctx, _) => FakeFunctionServer.Answer(ctx, 200, """{"Status":"SUCCEEDED","Result":"\"ok\""}""");
        await using var h = new ServiceHarness(configure: o => o with { FunctionUrls = [new FunctionUrl("remote", function.Url)] });
        var tenanted = await InvokeAsync(h, "remote", "members-4", tenant: "tenant-d", trace: Trace);
        await h.Service.WaitForIdleAsync(tenanted);
        var plain = await InvokeAsync(h, "remote", "members-5", tenant: null, trace: null);
        await h.Service.WaitForIdleAsync(plain);

        var requests = function.Requests.ToList();
        Assert.That(requests, Has.Count.EqualTo(2));
        Assert.That(requests[0].Headers["X-Amz-Tenant-Id"], Is.EqualTo("tenant-d"));
        Assert.That(requests[0].Headers["X-Amzn-Trace-Id"], Is.EqualTo(Trace));
        Assert.That(requests[1].Headers.ContainsKey("X-Amz-Tenant-Id") || requests[1].Headers.ContainsKey("X-Amzn-Trace-Id"), Is.False);
    }
}
