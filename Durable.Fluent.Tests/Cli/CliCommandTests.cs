using System.Text.Json;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Cli;

/// <summary>
/// The durable command in-process against a real local durable service: each command's output, its exit code (0 done,
/// 1 the operation failed, 2 the command line is wrong) and its errors (the AWS error type and message, never a stack trace).
/// </summary>
[NonParallelizable]
public class CliCommandTests
{
    /// <summary>Bounds a wait for something that always happens (a service answer, a process start): only a hang reaches it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private LocalDurableService _service = null!;
    private LambdaDurableExecutionClient _client = null!;

    private string Endpoint => _service.Endpoint.ToString();

    [SetUp]
    public void StartService()
    {
        _service = new LocalDurableService()
            .Register("cli-greeter", CliWorkflows.Greeter)
            .Register("cli-approval", CliWorkflows.Approval)
            .Register("cli-failing", CliWorkflows.Failing)
            .Start();
        _client = _service.CreateClient();
    }

    [TearDown]
    public async Task StopService()
    {
        _client.Dispose();
        await _service.DisposeAsync();
    }

    private Task<CliRun> Run(params string[] args) => CliHarness.RunAsync([.. args, "--endpoint", Endpoint]);

    public static IEnumerable<TestCaseData> UsageErrors()
    {
        yield return new TestCaseData((object)Array.Empty<string>(), "Required command").SetName("no command");
        yield return new TestCaseData((object)new[] { "frobnicate" }, "frobnicate").SetName("unknown command");
        yield return new TestCaseData((object)new[] { "start" }, "function").SetName("start without a function");
        yield return new TestCaseData((object)new[] { "start", "cli-greeter", "--input", "{not json" }, "not valid JSON").SetName("start with input that is not JSON");
        yield return new TestCaseData((object)new[] { "start", "cli-greeter", "--endpoint", "ftp://example.com" }, "not an http(s) URL").SetName("an endpoint that is not http");
        yield return new TestCaseData((object)new[] { "start", "cli-greeter", "--wait", "--wait-timeout", "0" }, "--wait-timeout").SetName("a zero wait timeout");
        yield return new TestCaseData((object)new[] { "list", "cli-greeter", "--status", "SLEEPING" }, "SLEEPING").SetName("list with an unknown status");
        yield return new TestCaseData((object)new[] { "list", "cli-greeter", "--started-after", "yesterday" }, "ISO 8601").SetName("list with a time that does not parse");
        yield return new TestCaseData((object)new[] { "list", "cli-greeter", "--max-items", "0" }, "--max-items").SetName("list with zero max items");
        yield return new TestCaseData((object)new[] { "history", "order-42" }, "--function").SetName("history by name without the function");
        yield return new TestCaseData((object)new[] { "history", "x", "--json", "--follow" }, "--json").SetName("history json with follow");
        yield return new TestCaseData((object)new[] { "callback" }, "Required command").SetName("callback without succeed, fail or heartbeat");
        yield return new TestCaseData((object)new[] { "callback", "succeed", "abc", "--result", "1", "--result-file", "x" }, "not both").SetName("callback result and result file");
        yield return new TestCaseData((object)new[] { "graph" }, "--assembly").SetName("graph without an assembly");
        yield return new TestCaseData((object)new[] { "graph", "--assembly", "/nonexistent/Nothing.dll" }, "Assembly not found").SetName("graph of a missing assembly");
        yield return new TestCaseData((object)new[] { "replay", "/nonexistent/history.json", "--assembly", "/nonexistent/Nothing.dll" }, "not found").SetName("replay of a missing file");
        yield return new TestCaseData((object)new[] { "serve", "--host", "10.1.2.3", "--in-memory" }, "--allow-non-loopback").SetName("serve on a non-loopback host");
        yield return new TestCaseData((object)new[] { "serve", "--in-memory", "--sync", "normal" }, "--sync applies to the --db file").SetName("serve in memory with a sync mode");
        yield return new TestCaseData((object)new[] { "serve", "--sync", "fast" }, "fast").SetName("serve with an unknown sync mode");
        yield return new TestCaseData((object)new[] { "serve", "--workflow", "x=Y.Z", "--in-memory" }, "--assembly").SetName("serve a workflow without its assembly");
        yield return new TestCaseData((object)new[] { "serve", "--function", "orders", "--in-memory" }, "expected name=url").SetName("serve a function without its URL");
        yield return new TestCaseData((object)new[] { "serve", "--function", "orders=ftp://127.0.0.1/x", "--in-memory" }, "absolute http:// or https:// URL").SetName("serve a function by a URL that is not http");
        yield return new TestCaseData((object)new[] { "serve", "--function", "bad name!=http://127.0.0.1:9000/", "--in-memory" }, "Invalid function name").SetName("serve a function with an invalid name");
        yield return new TestCaseData((object)new[] { "serve", "--function", "a=http://127.0.0.1:9000/", "--function-timeout", "0", "--in-memory" }, "--function-timeout").SetName("serve with a zero function timeout");
        yield return new TestCaseData((object)new[] { "serve", "--in-memory", "--port", "0", "--function", "twice=http://127.0.0.1:9000/", "--function", "twice=http://127.0.0.1:9001/" }, "already registered").SetName("serve two functions under one name");
    }

    [TestCaseSource(nameof(UsageErrors))]
    public async Task A_wrong_command_line_exits_2_with_a_message(string[] args, string expected)
    {
        var run = await CliHarness.RunAsync(args);

        Assert.That(run.Exit, Is.EqualTo(2), run.ToString());
        Assert.That(run.Err, Does.Contain(expected), run.ToString());
        Assert.That(run.Err, Does.Contain("--help"), "says where usage is");
        Assert.That(run.Err + run.Out, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public async Task Help_lists_every_command_and_exits_0()
    {
        var run = await CliHarness.RunAsync("--help");

        Assert.That(run.Exit, Is.Zero, run.ToString());
        foreach (var command in new[] { "serve", "start", "list", "history", "callback", "stop", "graph", "replay" })
        {
            Assert.That(run.Out, Does.Contain(command));
        }
    }

    [Test]
    public async Task Serve_help_names_the_checkpoint_path_switch()
    {
        var run = await CliHarness.RunAsync("serve", "--help");

        Assert.That(run.Exit, Is.Zero, run.ToString());
        Assert.That(run.Out, Does.Contain("--checkpoint-over-http").And.Contain("instead of in-process (the default"));
    }

    [Test]
    public async Task Start_prints_the_arn_of_an_execution_that_runs()
    {
        var run = await Run("start", "cli-greeter", "--input", "\"Ada\"", "--name", "greet-ada");

        Assert.That(run.Exit, Is.Zero, run.ToString());
        var arn = run.Out.Trim();
        Assert.That(arn, Does.StartWith("arn:aws:lambda:").And.Contain("greet-ada"));
        await _service.WaitForIdleAsync(arn);
        var execution = await _client.GetDurableExecutionAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo("\"hello Ada\""));

        var again = await Run("start", "cli-greeter", "--input", "\"Bob\"", "--name", "greet-ada");
        Assert.That(again.Exit, Is.EqualTo(1), again.ToString());
        Assert.That(again.Err, Does.StartWith("DurableExecutionAlreadyStartedException: "), "the name is the idempotency key");
    }

    [Test]
    public async Task Start_with_a_tenant_id_starts_the_execution_for_that_tenant()
    {
        var run = await Run("start", "cli-greeter", "--input", "\"Ada\"", "--name", "greet-tenant", "--tenant-id", "tenant-ada");

        Assert.That(run.Exit, Is.Zero, run.ToString());
        Assert.That(_service.Engine.GetExecution(run.Out.Trim()).TenantId, Is.EqualTo("tenant-ada"));
    }

    [Test]
    public async Task Start_wait_prints_the_result_or_the_error_and_exits_accordingly()
    {
        var ok = await Run("start", "cli-greeter", "--input", "\"Bob\"", "--wait");
        Assert.That(ok.Exit, Is.Zero, ok.ToString());
        Assert.That(ok.Out.Trim(), Is.EqualTo("\"hello Bob\""));
        Assert.That(ok.Err, Does.Contain("SUCCEEDED"));

        var failed = await Run("start", "cli-failing", "--input", "\"x\"", "--wait");
        Assert.That(failed.Exit, Is.EqualTo(1), failed.ToString());
        Assert.That(failed.Err, Does.Contain("FAILED").And.Contain("no luck with x"));
        Assert.That(failed.Err, Does.Not.Contain("   at "));

        var json = await Run("start", "cli-greeter", "--input", "\"Cy\"", "--wait", "--json");
        Assert.That(json.Exit, Is.Zero, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        Assert.That(doc.RootElement.GetProperty("Status").GetString(), Is.EqualTo("SUCCEEDED"));
        Assert.That(doc.RootElement.GetProperty("Result").GetString(), Is.EqualTo("\"hello Cy\""));
    }

    [Test]
    public async Task Start_wait_shows_what_the_execution_waits_for_until_a_callback_from_another_command_completes_it()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var waiting = Durable.Fluent.Cli.DurableCli.RunAsync(
            ["start", "cli-approval", "--name", "ticket-1", "--input", """{"id":"t-1","note":"new laptop"}""", "--wait", "--endpoint", Endpoint],
            new Durable.Fluent.Cli.Output.CliConsole(output, error));
        var callbackId = await OpenCallbackAsync("cli-approval", "ticket-1");
        var deadline = DateTime.UtcNow + Patience;
        while (!error.ToString().Contains("waiting for callback", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.That(error.ToString(), Does.Contain("suspended: waiting for callback 'approval-callback'"), "the progress line says what the execution waits on");

        var answer = await Run("callback", "succeed", callbackId, "--result", """{"approved":true,"by":"ann"}""");
        Assert.That(answer.Exit, Is.Zero, answer.ToString());
        Assert.That(answer.Out, Does.Contain("succeeded"));

        var exit = await waiting.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(exit, Is.Zero, output + "\n" + error);
        Assert.That(output.ToString().Trim(), Is.EqualTo("\"t-1 approved by ann\""));
    }

    [Test]
    public async Task Start_wait_timeout_gives_up_with_exit_1_and_leaves_the_execution_running()
    {
        var run = await Run("start", "cli-approval", "--name", "ticket-slow", "--input", """{"id":"t-9","note":"-"}""", "--wait", "--wait-timeout", "1");

        Assert.That(run.Exit, Is.EqualTo(1), run.ToString());
        Assert.That(run.Err, Does.Contain("still RUNNING"));
        var listed = await _client.ListDurableExecutionsByFunctionAsync("cli-approval", new ListDurableExecutionsByFunctionQuery { DurableExecutionName = "ticket-slow" });
        Assert.That(listed.DurableExecutions.Single().Status, Is.EqualTo(ExecutionStatus.Running));
    }

    [Test]
    public async Task List_applies_the_filters_of_the_list_api_and_pages()
    {
        foreach (var name in new[] { "g-1", "g-2", "g-3" })
        {
            var arn = _service.StartExecution("cli-greeter", "\"x\"", name);
            await _service.WaitForIdleAsync(arn);
        }

        var running = _service.StartExecution("cli-approval", """{"id":"r","note":"n"}""", "waiting-1");
        await _service.WaitForIdleAsync(running);

        var all = await Run("list", "cli-greeter");
        Assert.That(all.Exit, Is.Zero, all.ToString());
        Assert.That(all.Out, Does.Contain("NAME").And.Contain("g-1").And.Contain("g-2").And.Contain("g-3").And.Contain("SUCCEEDED").And.Contain("3 execution(s)."));
        Assert.That(all.Out.IndexOf("g-1", StringComparison.Ordinal), Is.LessThan(all.Out.IndexOf("g-3", StringComparison.Ordinal)));

        var reversed = await Run("list", "cli-greeter", "--reverse");
        Assert.That(reversed.Out.IndexOf("g-3", StringComparison.Ordinal), Is.LessThan(reversed.Out.IndexOf("g-1", StringComparison.Ordinal)));

        var onlyRunning = await Run("list", "cli-greeter", "--status", "RUNNING");
        Assert.That(onlyRunning.Out, Does.Contain("0 execution(s).").And.Not.Contain("g-1"));

        var approvals = await Run("list", "cli-approval", "--status", "running,succeeded");
        Assert.That(approvals.Out, Does.Contain("waiting-1").And.Contain("RUNNING"));

        var byName = await Run("list", "cli-greeter", "--name", "g-2");
        Assert.That(byName.Out, Does.Contain("g-2").And.Not.Contain("g-1").And.Contain("1 execution(s)."));

        var capped = await Run("list", "cli-greeter", "--max-items", "2");
        Assert.That(capped.Out, Does.Contain("2 execution(s) (more: raise --max-items)."));

        var future = await Run("list", "cli-greeter", "--started-after", DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        Assert.That(future.Out, Does.Contain("0 execution(s)."));
        var past = await Run("list", "cli-greeter", "--started-before", DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        Assert.That(past.Out, Does.Contain("3 execution(s)."));

        var json = await Run("list", "cli-greeter", "--json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.That(doc.RootElement.GetProperty("DurableExecutions").GetArrayLength(), Is.EqualTo(3));

        var unknown = await Run("list", "no-such-function");
        Assert.That(unknown.Exit, Is.EqualTo(1), unknown.ToString());
        Assert.That(unknown.Err, Does.StartWith("ResourceNotFoundException: "));
    }

    [Test]
    public async Task History_prints_readable_lines_a_table_and_json_that_replays_against_the_definition()
    {
        var arn = _service.StartExecution("cli-greeter", "\"Ada\"", "hist-1");
        await _service.WaitForIdleAsync(arn);

        var lines = await Run("history", "hist-1", "--function", "cli-greeter", "--utc");
        Assert.That(lines.Exit, Is.Zero, lines.ToString());
        Assert.That(lines.Out, Does.Contain("Execution 'hist-1' of cli-greeter: SUCCEEDED"));
        Assert.That(lines.Out, Does.Contain("step 'greet' succeeded: \"hello Ada\""));
        Assert.That(lines.Out, Does.Contain("execution started with \"Ada\""));

        var table = await Run("history", arn, "--table");
        Assert.That(table.Out, Does.Contain("StepSucceeded").And.Contain("greet"));

        var json = await Run("history", arn, "--json");
        Assert.That(json.Exit, Is.Zero, json.ToString());
        var check = await HistoryReplayer.CheckAsync(CliWorkflows.Greeter, json.Out);
        Assert.That(check.Compatible, Is.True, check.Problem);
        Assert.That(check.Outcome, Is.EqualTo(InvocationStatus.Succeeded));

        var file = Path.Combine(Path.GetTempPath(), $"durable-history-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json.Out);
        try
        {
            var replay = await CliHarness.RunAsync("replay", file, "--assembly", CliHarness.TestAssembly, "--workflow", "cli-greeter");
            Assert.That(replay.Exit, Is.Zero, replay.ToString());
            Assert.That(replay.Out, Does.Contain("Compatible").And.Contain("SUCCEEDED"));

            var changed = await CliHarness.RunAsync("replay", file, "--assembly", CliHarness.TestAssembly, "--workflow", "CliWorkflows.GreeterRenamed");
            Assert.That(changed.Exit, Is.EqualTo(1), changed.ToString());
            Assert.That(changed.Err, Does.Contain("NOT COMPATIBLE").And.Contain("greet"));

            await File.WriteAllTextAsync(file, "{\"Events\": 12}");
            var garbage = await CliHarness.RunAsync("replay", file, "--assembly", CliHarness.TestAssembly, "--workflow", "cli-greeter");
            Assert.That(garbage.Exit, Is.EqualTo(1), garbage.ToString());
            Assert.That(garbage.Err, Does.Contain("not an exported history").And.Not.Contain("   at "));
        }
        finally
        {
            File.Delete(file);
        }

        var unknown = await Run("history", "nobody", "--function", "cli-greeter");
        Assert.That(unknown.Exit, Is.EqualTo(1), unknown.ToString());
        Assert.That(unknown.Err, Does.StartWith("ResourceNotFoundException: "));
    }

    [Test]
    public async Task History_names_the_open_callback_and_follow_ends_with_the_execution()
    {
        var arn = _service.StartExecution("cli-approval", """{"id":"t-2","note":"chair"}""", "ticket-2");
        await _service.WaitForIdleAsync(arn);

        var history = await Run("history", "ticket-2", "--function", "cli-approval");
        Assert.That(history.Exit, Is.Zero, history.ToString());
        var callbackId = await OpenCallbackAsync("cli-approval", "ticket-2");
        Assert.That(history.Out, Does.Contain("RUNNING").And.Contain("Waiting on callback 'approval-callback'").And.Contain($"durable callback succeed {callbackId}"));

        var follow = CliHarness.RunAsync("history", arn, "--follow", "--endpoint", Endpoint);
        await Task.Delay(700);
        Assert.That(follow.IsCompleted, Is.False, "--follow waits while the execution runs");
        await _client.SendCallbackSuccessAsync(callbackId, """{"approved":false,"by":"bo"}""");
        var followed = await follow.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(followed.Exit, Is.Zero, followed.ToString());
        Assert.That(followed.Out, Does.Contain("callback 'approval-callback' completed").And.Contain("SUCCEEDED").And.Contain("t-2 rejected by bo"));
    }

    [Test]
    public async Task Callback_heartbeat_fail_and_a_second_answer_are_reported_with_the_service_error()
    {
        var arn = _service.StartExecution("cli-approval", """{"id":"t-3","note":"desk"}""", "ticket-3");
        await _service.WaitForIdleAsync(arn);
        var callbackId = await OpenCallbackAsync("cli-approval", "ticket-3");

        var heartbeat = await Run("callback", "heartbeat", callbackId);
        Assert.That(heartbeat.Exit, Is.Zero, heartbeat.ToString());

        var fail = await Run("callback", "fail", callbackId, "--error-type", "Rejected", "--error-message", "over budget");
        Assert.That(fail.Exit, Is.Zero, fail.ToString());
        await _service.WaitForIdleAsync(arn);
        var execution = await _client.GetDurableExecutionAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Does.Contain("over budget"));

        var again = await Run("callback", "succeed", callbackId, "--result", "{}");
        Assert.That(again.Exit, Is.EqualTo(1), again.ToString());
        Assert.That(again.Err, Does.Match("^[A-Za-z.]+Exception: "), "the AWS error type, then the message");
        Assert.That(again.Err, Does.Not.Contain("   at "));

        var unknown = await Run("callback", "heartbeat", "bm90LWlzc3VlZA==");
        Assert.That(unknown.Exit, Is.EqualTo(1), unknown.ToString());
        Assert.That(unknown.Err, Does.StartWith("ResourceNotFoundException: "));
    }

    [Test]
    public async Task Stop_stops_a_running_execution_and_a_second_stop_is_refused()
    {
        var arn = _service.StartExecution("cli-approval", """{"id":"t-4","note":"lamp"}""", "ticket-4");
        await _service.WaitForIdleAsync(arn);

        var stop = await Run("stop", "ticket-4", "--function", "cli-approval", "--error-type", "Cancelled", "--error-message", "not needed");
        Assert.That(stop.Exit, Is.Zero, stop.ToString());
        Assert.That(stop.Out, Does.Contain("Stopped ").And.Contain(arn));
        var execution = await _client.GetDurableExecutionAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Stopped));
        Assert.That(execution.Error?.ErrorMessage, Is.EqualTo("not needed"));

        var again = await Run("stop", arn);
        Assert.That(again.Exit, Is.EqualTo(1), again.ToString());
        Assert.That(again.Err, Does.StartWith("InvalidParameterValueException: "));
    }

    [Test]
    public async Task A_service_that_cannot_be_reached_is_exit_1_with_a_hint()
    {
        var run = await CliHarness.RunAsync("list", "cli-greeter", "--endpoint", "http://127.0.0.1:1/");

        Assert.That(run.Exit, Is.EqualTo(1), run.ToString());
        Assert.That(run.Err, Does.StartWith("Could not reach the service.").And.Contain("durable serve"));
        Assert.That(run.Err, Does.Not.Contain("   at "));
    }

    [Test]
    public async Task Graph_prints_the_mermaid_or_the_outline_of_a_definition_from_an_assembly()
    {
        var mermaid = await CliHarness.RunAsync("graph", "--assembly", CliHarness.OrderAssembly);
        Assert.That(mermaid.Exit, Is.Zero, mermaid.ToString());
        Assert.That(mermaid.Out, Is.EqualTo(OrderProcessing.OrderWorkflow.Definition.ToMermaid()));

        var text = await CliHarness.RunAsync("graph", "--assembly", CliHarness.OrderAssembly, "--format", "text");
        Assert.That(text.Out, Is.EqualTo(OrderProcessing.OrderWorkflow.Definition.Describe()));

        var several = await CliHarness.RunAsync("graph", "--assembly", CliHarness.TestAssembly);
        Assert.That(several.Exit, Is.EqualTo(2), several.ToString());
        Assert.That(several.Err, Does.Contain("--workflow").And.Contain("CliWorkflows.Approval (function cli-approval)"));

        var picked = await CliHarness.RunAsync("graph", "--assembly", CliHarness.TestAssembly, "--workflow", "cli-approval");
        Assert.That(picked.Out, Does.Contain("WaitForCallback 'approval'"));

        var missing = await CliHarness.RunAsync("graph", "--assembly", CliHarness.TestAssembly, "--workflow", "nope");
        Assert.That(missing.Exit, Is.EqualTo(2), missing.ToString());
        Assert.That(missing.Err, Does.Contain("No workflow 'nope'"));
    }

    [TestCase(false, "  checkpoints: in-process (--checkpoint-over-http sends them through the REST API instead)")]
    [TestCase(true, "  checkpoints: over HTTP (--checkpoint-over-http): the .NET workflows call {0} with the HTTP client")]
    public async Task Serve_runs_the_marked_workflows_of_an_assembly_until_cancelled(bool overHttp, string checkpoints)
    {
        using var stop = new CancellationTokenSource();
        var output = new StringWriter();
        var error = new StringWriter();
        string[] args = ["serve", "--port", "0", "--in-memory", "--assembly", CliHarness.TestAssembly, "--workflow", "renamed=CliWorkflows.GreeterRenamed"];
        var serving = Durable.Fluent.Cli.DurableCli.RunAsync(
            overHttp ? [.. args, "--checkpoint-over-http"] : args,
            new Durable.Fluent.Cli.Output.CliConsole(output, error),
            stop.Token);
        var endpoint = await EndpointFromAsync(output, serving);
        Assert.That(output.ToString(), Does.Contain("function cli-approval: Durable.Fluent.Tests.Cli.CliWorkflows.Approval").And.Contain("function renamed:").And.Contain("dashboard: " + endpoint + "dashboard/"));
        Assert.That(output.ToString().Split(Environment.NewLine), Does.Contain(string.Format(System.Globalization.CultureInfo.InvariantCulture, checkpoints, endpoint)));

        var started = await CliHarness.RunAsync("start", "renamed", "--input", "\"Eve\"", "--wait", "--endpoint", endpoint);
        Assert.That(started.Exit, Is.Zero, started.ToString());
        Assert.That(started.Out.Trim(), Is.EqualTo("\"hello Eve\""));

        using (var http = new HttpClient())
        {
            var page = await http.GetAsync(endpoint + "dashboard/");
            Assert.That((int)page.StatusCode, Is.EqualTo(200));
        }

        await stop.CancelAsync();
        Assert.That(await serving.WaitAsync(Patience), Is.Zero, output + "\n" + error);
    }

    [TestCase(null, "every commit synced to disk")]
    [TestCase("full", "every commit synced to disk")]
    [TestCase("normal", "--sync normal: commits in the write-ahead log, kill -9 safe")]
    public async Task Serve_syncs_every_commit_of_its_file_unless_told_sync_normal(string? sync, string described)
    {
        using var stop = new CancellationTokenSource();
        var output = new StringWriter();
        var error = new StringWriter();
        var db = Path.Combine(TempPaths.Unique("durable-cli-sync"), "serve.db");
        string[] args = ["serve", "--port", "0", "--db", db];
        var serving = Durable.Fluent.Cli.DurableCli.RunAsync(sync is null ? args : [.. args, "--sync", sync], new Durable.Fluent.Cli.Output.CliConsole(output, error), stop.Token);
        try
        {
            var endpoint = await EndpointFromAsync(output, serving);
            Assert.That(output.ToString(), Does.Contain($"Local durable service on {endpoint} (store: {Path.GetFullPath(db)}, {described})"));
        }
        finally
        {
            await stop.CancelAsync();
            Assert.That(await serving.WaitAsync(Patience), Is.Zero, output + "\n" + error);
            Directory.Delete(Path.GetDirectoryName(db)!, recursive: true);
        }
    }

    [Test]
    public async Task Serve_runs_a_function_by_url_through_RegisterUrl()
    {
        await using var function = await Durable.Fluent.Tests.LocalService.FakeFunctionServer.StartAsync();
        function.Handler = (ctx, _) => Durable.Fluent.Tests.LocalService.FakeFunctionServer.Answer(ctx, 200, """{"Status":"SUCCEEDED","Result":"\"shipped\""}""");
        using var stop = new CancellationTokenSource();
        var output = new StringWriter();
        var error = new StringWriter();
        var serving = Durable.Fluent.Cli.DurableCli.RunAsync(
            ["serve", "--port", "0", "--in-memory", "--function", "js-orders=" + function.Url, "--function-timeout", "30"],
            new Durable.Fluent.Cli.Output.CliConsole(output, error),
            stop.Token);
        var endpoint = await EndpointFromAsync(output, serving);
        Assert.That(output.ToString(), Does.Contain($"function js-orders: {function.Url} (by URL, timeout 30s").And.Not.Contain("no functions").And.Not.Contain("checkpoints:"), "a function by URL always checkpoints over HTTP");

        var started = await CliHarness.RunAsync("start", "js-orders", "--name", "js-1", "--input", """{"orderId":"o-1"}""", "--wait", "--endpoint", endpoint);

        Assert.That(started.Exit, Is.Zero, started.ToString());
        Assert.That(started.Out.Trim(), Is.EqualTo("\"shipped\""));
        var invocation = function.Requests.Single();
        Assert.That(invocation.Method, Is.EqualTo("POST"));
        using (var envelope = JsonDocument.Parse(invocation.Body))
        {
            Assert.That(envelope.RootElement.GetProperty("DurableExecutionArn").GetString(), Does.Contain("js-orders").And.Contain("js-1"));
            Assert.That(envelope.RootElement.TryGetProperty("CheckpointToken", out _), Is.True, invocation.Body);
        }

        await stop.CancelAsync();
        Assert.That(await serving.WaitAsync(Patience), Is.Zero, output + "\n" + error);
    }

    [Test]
    public async Task Serve_refuses_an_assembly_with_nothing_to_serve_and_a_port_in_use()
    {
        var nothing = await CliHarness.RunAsync("serve", "--in-memory", "--port", "0", "--assembly", typeof(Workflow).Assembly.Location);
        Assert.That(nothing.Exit, Is.EqualTo(2), nothing.ToString());
        Assert.That(nothing.Err, Does.Contain("No workflow to serve").And.Contain("[DurableFunction"));

        var taken = await CliHarness.RunAsync("serve", "--in-memory", "--port", _service.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(taken.Exit, Is.EqualTo(1), taken.ToString());
        Assert.That(taken.Err, Does.Contain("Cannot listen").And.Contain("--port"));
    }

    /// <summary>Waits until the execution's callback is created, and returns its id.</summary>
    private async Task<string> OpenCallbackAsync(string function, string name)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var listed = await _client.ListDurableExecutionsByFunctionAsync(function, new ListDurableExecutionsByFunctionQuery { DurableExecutionName = name });
            if (listed.DurableExecutions.FirstOrDefault()?.DurableExecutionArn is { } arn)
            {
                var history = await _client.GetDurableExecutionHistoryAsync(arn);
                if (history.Events.FirstOrDefault(e => e.EventType == HistoryEventType.CallbackStarted)?.Details.CallbackId is { } id)
                {
                    return id;
                }
            }

            await Task.Delay(100);
        }

        throw new AssertionException($"No callback was created for {name}.");
    }

    private static async Task<string> EndpointFromAsync(StringWriter output, Task<int> serving)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var text = output.ToString();
            if (text.Contains("Press Ctrl+C", StringComparison.Ordinal))
            {
                var start = text.IndexOf("http://", StringComparison.Ordinal);
                return text[start..text.IndexOf(' ', start)];
            }

            if (serving.IsCompleted)
            {
                Assert.Fail($"serve exited with {serving.Result}: {output}");
            }

            await Task.Delay(100);
        }

        throw new AssertionException("serve did not start: " + output);
    }
}
