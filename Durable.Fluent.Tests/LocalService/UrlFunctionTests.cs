using System.Globalization;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.LocalService;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// Functions registered by URL (<see cref="LocalDurableService.RegisterUrl"/>): the service POSTs the invocation envelope
/// and reads the output envelope back, as Lambda's Invoke does against a runtime interface emulator; the function
/// checkpoints through the REST API. Every way the function can misbehave is a failed invocation that is retried.
/// </summary>
public class UrlFunctionTests
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FunctionTimeout = TimeSpan.FromSeconds(30);
    private const string Succeeded = """{"Status":"SUCCEEDED","Result":"\"done\""}""";

    private static readonly Workflow<string, string> StepWaitStep = Workflow.For<string>()
        .Then("first", (s, _) => s + "-a")
        .Wait("pause", TimeSpan.FromSeconds(60))
        .Then("second", (s, _) => s + "-b")
        .Build();

    private FakeFunctionServer _function = null!;
    private ServiceHarness _h = null!;
    private CapturingLoggerProvider _logs = null!;
    private ILoggerFactory _loggerFactory = null!;

    [SetUp]
    public async Task SetUp()
    {
        _function = await FakeFunctionServer.StartAsync();
        _logs = new CapturingLoggerProvider();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        _h = new ServiceHarness(configure: o => o with
        {
            LoggerFactory = _loggerFactory,
            InvocationRetryDelay = RetryDelay,
            FunctionTimeout = FunctionTimeout,
            MaxConsecutiveInvocationFailures = 3,
            FunctionUrls = [new FunctionUrl("remote", _function.Url)],
        });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _h.DisposeAsync();
        await _function.DisposeAsync();
        _loggerFactory.Dispose();
        _logs.Dispose();
    }

    private static DurableExecutionInvocationInput Envelope(FakeFunctionServer.RecordedRequest request)
        => JsonSerializer.Deserialize<DurableExecutionInvocationInput>(request.Body, WireJson.Envelope)!;

    private async Task<IReadOnlyList<HistoryEvent>> InvocationsAsync(string arn)
        => (await _h.Client.GetDurableExecutionHistoryAsync(arn, includeExecutionData: true, maxItems: 1000)).Events
            .Where(e => e.EventType == HistoryEventType.InvocationCompleted).ToList();

    /// <summary>Starts an execution of <c>remote</c> and waits for its first invocation to end.</summary>
    private async Task<string> StartAsync(string input = "\"x\"")
    {
        var arn = _h.Service.StartExecution("remote", input);
        await _h.Service.WaitForIdleAsync(arn);
        return arn;
    }

    /// <summary>Moves the clock past the invocation retry delay and waits for the retried invocation to end.</summary>
    private async Task RetryAsync(string arn)
    {
        _h.Clock.Advance(RetryDelay);
        await _h.Service.WaitForIdleAsync(arn);
    }

    [Test]
    public async Task A_workflow_behind_a_url_runs_end_to_end_checkpointing_through_the_rest_api()
    {
        _function.Handler = async (ctx, request) =>
        {
            // The function lives elsewhere: it only has the envelope and the service's REST API.
            var output = await StepWaitStep.HandleAsync(Envelope(request), _h.Client, new DurableRunOptions { TimeProvider = _h.Clock }, ctx.RequestAborted);
            await FakeFunctionServer.Answer(ctx, 200, JsonSerializer.Serialize(output, WireJson.Envelope));
        };
        var arn = _h.Service.StartExecution("remote", "\"x\"", "by-url");

        var done = await _h.DriveAsync(arn);

        Assert.That((done.Status, done.Result), Is.EqualTo((ExecutionStatus.Succeeded, "\"x-a-b\"")));
        var history = (await _h.Client.GetDurableExecutionHistoryAsync(arn, includeExecutionData: true, maxItems: 1000)).Events;
        Assert.That(history.Select(e => e.EventType), Is.EqualTo(new[]
        {
            HistoryEventType.ExecutionStarted, HistoryEventType.StepStarted, HistoryEventType.StepSucceeded, HistoryEventType.WaitStarted,
            HistoryEventType.InvocationCompleted, HistoryEventType.WaitSucceeded, HistoryEventType.StepStarted, HistoryEventType.StepSucceeded,
            HistoryEventType.InvocationCompleted, HistoryEventType.ExecutionSucceeded,
        }));
        var requests = _function.Requests.ToList();
        var invocations = history.Where(e => e.EventType == HistoryEventType.InvocationCompleted).ToList();
        Assert.That(requests, Has.Count.EqualTo(2));
        for (var i = 0; i < 2; i++)
        {
            var r = requests[i];
            Assert.That((r.Method, r.Path, r.ContentType), Is.EqualTo(("POST", "/2015-03-31/functions/function/invocations", "application/json")));
            Assert.That(r.Headers["X-Amz-Invocation-Type"], Is.EqualTo("RequestResponse"));
            Assert.That(r.Headers["Lambda-Runtime-Aws-Request-Id"], Is.EqualTo(invocations[i].Details.RequestId), "the function's request id is the one the history records");
            var deadline = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(r.Headers["Lambda-Runtime-Deadline-Ms"], CultureInfo.InvariantCulture));
            Assert.That(deadline, Is.EqualTo(invocations[i].Details.StartTimestamp!.Value + FunctionTimeout).Within(TimeSpan.FromMilliseconds(1)));
            var envelope = Envelope(r);
            Assert.That(envelope.DurableExecutionArn, Is.EqualTo(arn));
            Assert.That(envelope.CheckpointToken, Is.Not.Empty);
            Assert.That(envelope.InitialExecutionState!.Operations![0].ExecutionDetails!.InputPayload, Is.EqualTo("\"x\""));
        }

        Assert.That(Envelope(requests[1]).InitialExecutionState!.Operations!.Select(o => o.Name), Does.Contain("pause"), "the second invocation replays the log");
        Assert.That(invocations.Select(e => e.Details.Error), Is.All.Null);
    }

    [Test]
    public async Task A_non_2xx_answer_is_a_failed_invocation_that_is_retried_and_logged()
    {
        var calls = 0;
        _function.Handler = (ctx, _) => Interlocked.Increment(ref calls) == 1
            ? FakeFunctionServer.Answer(ctx, 502, "upstream exploded", "text/plain")
            : FakeFunctionServer.Answer(ctx, 200, Succeeded);

        var arn = await StartAsync();
        var afterFirst = await InvocationsAsync(arn);
        await RetryAsync(arn);

        var error = afterFirst.Single().Details.Error!.Payload!;
        Assert.That(error.ErrorType, Is.EqualTo("Runtime.ExitError"));
        Assert.That(error.ErrorMessage, Does.Contain("HTTP 502").And.Contain("upstream exploded").And.Contain(_function.Url.ToString()));
        var done = await _h.Client.GetDurableExecutionAsync(arn);
        Assert.That((done.Status, done.Result), Is.EqualTo((ExecutionStatus.Succeeded, "\"done\"")));
        Assert.That(await InvocationsAsync(arn), Has.Count.EqualTo(2));
        var warning = _logs.Lines.Single(l => l.Level == LogLevel.Warning && l.Message.Contains("HTTP 502", StringComparison.Ordinal));
        Assert.That(warning.Message, Does.Contain(arn).And.Contain("Runtime.ExitError").And.Contain("retrying in 5 s").And.Contain(_function.Url.ToString()));
    }

    [TestCase("this is not json", "not JSON", TestName = "Malformed output: not JSON")]
    [TestCase("""{"Result":"\"x\""}""", "not an output envelope", TestName = "Malformed output: no Status")]
    [TestCase("""{"Status":"DONE"}""", "not an output envelope", TestName = "Malformed output: an unknown Status")]
    [TestCase("[1,2]", "not an output envelope", TestName = "Malformed output: an array")]
    [TestCase("null", "null", TestName = "Malformed output: null")]
    [TestCase("", "not JSON", TestName = "Malformed output: an empty body")]
    public async Task Malformed_output_is_a_crashed_invocation_that_is_retried(string body, string expected)
    {
        var calls = 0;
        _function.Handler = (ctx, _) => FakeFunctionServer.Answer(ctx, 200, Interlocked.Increment(ref calls) == 1 ? body : Succeeded);

        var arn = await StartAsync();
        var first = (await InvocationsAsync(arn)).Single().Details.Error!.Payload!;
        await RetryAsync(arn);

        Assert.That(first.ErrorType, Is.EqualTo("Runtime.ExitError"));
        Assert.That(first.ErrorMessage, Does.Contain(expected));
        Assert.That((await _h.Client.GetDurableExecutionAsync(arn)).Status, Is.EqualTo(ExecutionStatus.Succeeded));
    }

    [TestCase(true, TestName = "A function error with X-Amz-Function-Error keeps its error type")]
    [TestCase(false, TestName = "A function error without the header (runtime interface emulator) keeps its error type")]
    public async Task A_function_error_is_a_failed_invocation_with_the_functions_error_type(bool header)
    {
        var calls = 0;
        _function.Handler = (ctx, _) => Interlocked.Increment(ref calls) == 1
            ? FakeFunctionServer.Answer(ctx, 200, """{"errorType":"TypeError","errorMessage":"order is undefined","trace":["TypeError: order is undefined"]}""", functionError: header ? "Unhandled" : null)
            : FakeFunctionServer.Answer(ctx, 200, Succeeded);

        var arn = await StartAsync();
        var first = (await InvocationsAsync(arn)).Single().Details.Error!.Payload!;
        await RetryAsync(arn);

        Assert.That(first.ErrorType, Is.EqualTo("TypeError"));
        Assert.That(first.ErrorMessage, Does.Contain("order is undefined"));
        Assert.That((await _h.Client.GetDurableExecutionAsync(arn)).Status, Is.EqualTo(ExecutionStatus.Succeeded));
    }

    [Test]
    public async Task A_function_that_does_not_answer_in_time_is_timed_out_its_token_revoked_and_it_is_retried()
    {
        var entered = new TaskCompletionSource<FakeFunctionServer.RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        _function.Handler = async (ctx, request) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                entered.SetResult(request);
                await release.Task; // hangs past its timeout, then keeps going like a zombie would
                return;
            }

            await FakeFunctionServer.Answer(ctx, 200, Succeeded);
        };

        var arn = _h.Service.StartExecution("remote", "\"x\"");
        var hung = await entered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        _h.Clock.Advance(FunctionTimeout);
        await _h.Service.WaitForIdleAsync(arn);

        var first = (await InvocationsAsync(arn)).Single().Details.Error!.Payload!;
        Assert.That(first.ErrorType, Is.EqualTo("Sandbox.Timedout"));
        Assert.That(first.ErrorMessage, Does.Contain("did not answer within 30 s"));
        var zombie = Envelope(hung);
        var refused = Assert.ThrowsAsync<CheckpointException>(() => _h.Client.CheckpointAsync(arn, zombie.CheckpointToken!, [], CancellationToken.None));
        Assert.That(refused!.StatusCode, Is.EqualTo(400));
        Assert.That(refused.Message, Does.StartWith("Invalid Checkpoint Token"));
        release.SetResult();

        await RetryAsync(arn);

        Assert.That((await _h.Client.GetDurableExecutionAsync(arn)).Status, Is.EqualTo(ExecutionStatus.Succeeded));
    }

    [Test]
    public async Task An_unreachable_function_fails_each_invocation_and_the_execution_is_stopped_after_the_limit()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there any more
        _h.Service.RegisterUrl("gone", new Uri($"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations"));

        var arn = _h.Service.StartExecution("gone", "{}");
        await _h.Service.WaitForIdleAsync(arn);
        await RetryAsync(arn);
        await RetryAsync(arn);

        var invocations = await InvocationsAsync(arn);
        Assert.That(invocations.Select(e => e.Details.Error!.Payload!.ErrorType), Is.EqualTo(new[] { "Runtime.ExitError", "Runtime.ExitError", "Runtime.ExitError" }));
        Assert.That(invocations[0].Details.Error!.Payload!.ErrorMessage, Does.Contain("could not be reached").And.Contain("is its host running"));
        var stopped = await _h.Client.GetDurableExecutionAsync(arn);
        Assert.That(stopped.Status, Is.EqualTo(ExecutionStatus.Stopped));
        Assert.That(stopped.Error!.ErrorType, Is.EqualTo("Runtime.InvocationFailures"));
        Assert.That(_logs.Lines.Count(l => l.Level == LogLevel.Warning && l.Message.Contains("could not be reached", StringComparison.Ordinal)), Is.EqualTo(3));
        Assert.That(_logs.Lines.Last(l => l.Level == LogLevel.Warning).Message, Does.Contain("the execution is stopped"));
    }

    [Test]
    public async Task A_response_larger_than_lambdas_limit_is_a_failed_invocation()
    {
        var calls = 0;
        var huge = "{\"Status\":\"SUCCEEDED\",\"Result\":\"" + new string('x', 6 * 1024 * 1024) + "\"}";
        _function.Handler = (ctx, _) => FakeFunctionServer.Answer(ctx, 200, Interlocked.Increment(ref calls) == 1 ? huge : Succeeded);

        var arn = await StartAsync();
        var first = (await InvocationsAsync(arn)).Single().Details.Error!.Payload!;

        Assert.That(first.ErrorType, Is.EqualTo("Function.ResponseSizeTooLarge"));
        await RetryAsync(arn);
        Assert.That((await _h.Client.GetDurableExecutionAsync(arn)).Status, Is.EqualTo(ExecutionStatus.Succeeded));
    }

    [Test]
    public async Task A_failed_output_fails_the_execution_with_its_error_and_is_not_retried()
    {
        _function.Handler = (ctx, _) => FakeFunctionServer.Answer(ctx, 200, """{"Status":"FAILED","Error":{"ErrorType":"OrderRejected","ErrorMessage":"card declined","ErrorData":"{\"code\":51}"}}""");

        var arn = await StartAsync();

        var failed = await _h.Client.GetDurableExecutionAsync(arn);
        Assert.That(failed.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That((failed.Error!.ErrorType, failed.Error.ErrorMessage, failed.Error.ErrorData), Is.EqualTo(("OrderRejected", "card declined", "{\"code\":51}")));
        Assert.That((await InvocationsAsync(arn)).Single().Details.Error, Is.Null);
        Assert.That(_function.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void Registrations_by_url_are_listed_with_their_effective_timeouts()
    {
        _h.Service.RegisterUrl("other", new Uri("http://127.0.0.1:1/x"), TimeSpan.FromSeconds(3));

        var byName = _h.Service.FunctionUrls.ToDictionary(f => f.Name);

        Assert.That(byName["remote"], Is.EqualTo(new FunctionUrl("remote", _function.Url, FunctionTimeout)));
        Assert.That(byName["other"].Timeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(_h.Service.Functions, Is.SupersetOf(new[] { "remote", "other" }));
    }

    [TestCase("ftp://127.0.0.1/x", TestName = "RegisterUrl refuses a non-http URL")]
    [TestCase("/2015-03-31/functions/function/invocations", TestName = "RegisterUrl refuses a relative URL")]
    public void RegisterUrl_refuses_urls_it_cannot_post_to(string url)
    {
        var uri = new Uri(url, UriKind.RelativeOrAbsolute);
        Assert.That(() => _h.Service.RegisterUrl("bad", uri), Throws.ArgumentException.With.Message.Contains("absolute http:// or https:// URL"));
        Assert.That(_h.Service.Functions, Does.Not.Contain("bad"));
    }

    [Test]
    public void RegisterUrl_refuses_a_taken_name_a_bad_name_and_a_non_positive_timeout_and_keeps_the_first_registration()
    {
        var url = new Uri("http://127.0.0.1:1/x");
        Assert.That(() => _h.Service.RegisterUrl("remote", url), Throws.ArgumentException.With.Message.Contains("already registered"));
        Assert.That(() => _h.Service.RegisterUrl("no spaces", url), Throws.ArgumentException.With.Message.Contains("Invalid function name"));
        Assert.That(() => _h.Service.RegisterUrl("zero", url, TimeSpan.Zero), Throws.ArgumentException.With.Message.Contains("positive"));
        Assert.That(_h.Service.FunctionUrls.Single(f => f.Name == "remote").Url, Is.EqualTo(_function.Url));
        Assert.That(_h.Service.Functions, Does.Not.Contain("no spaces").And.Not.Contain("zero"));
    }

    [Test]
    public void A_bad_function_url_in_the_options_fails_the_constructor()
    {
        Assert.That(
            () => new LocalDurableService(new LocalDurableServiceOptions { FunctionUrls = [new FunctionUrl("a", new Uri("file:///tmp/x"))] }),
            Throws.ArgumentException.With.Message.Contains("'a'"));
        Assert.That(
            () => new LocalDurableService(new LocalDurableServiceOptions { FunctionTimeout = TimeSpan.Zero }),
            Throws.ArgumentException.With.Message.Contains("FunctionTimeout"));
    }

    [Test]
    public void FunctionUrl_parses_the_name_equals_url_form_of_the_command_line()
    {
        var parsed = FunctionUrl.Parse(" orders = http://127.0.0.1:9000/2015-03-31/functions/function/invocations ");

        Assert.That(parsed, Is.EqualTo(new FunctionUrl("orders", new Uri("http://127.0.0.1:9000/2015-03-31/functions/function/invocations"))));
        Assert.That(FunctionUrl.Parse("a=https://h/x?y=1").Url.Query, Is.EqualTo("?y=1"), "only the first '=' separates");
        Assert.That(() => FunctionUrl.Parse("orders"), Throws.TypeOf<FormatException>().With.Message.Contains("expected name=url"));
        Assert.That(() => FunctionUrl.Parse("=http://h/"), Throws.TypeOf<FormatException>().With.Message.Contains("expected name=url"));
        Assert.That(() => FunctionUrl.Parse("bad name=http://h/"), Throws.TypeOf<FormatException>().With.Message.Contains("Invalid function name"));
        Assert.That(() => FunctionUrl.Parse("orders=localhost:9000"), Throws.TypeOf<FormatException>().With.Message.Contains("absolute http:// or https:// URL"));
    }

    [Test]
    public async Task A_timer_that_falls_due_while_the_invocation_runs_shows_up_in_its_next_checkpoint_over_http()
    {
        // Issue 10: the JavaScript SDK polls with empty checkpoints mid-invocation; the wait must complete in that response.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IReadOnlyList<Operation>? polled = null;
        _function.Handler = async (ctx, request) =>
        {
            var input = Envelope(request);
            var r = await _h.Client.CheckpointAsync(input.DurableExecutionArn!, input.CheckpointToken!, [
                new OperationUpdate { Id = "w1", Type = OperationType.Wait, SubType = "Wait", Name = "pause", Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = 2 } },
            ], ctx.RequestAborted);
            started.SetResult();
            await advanced.Task;
            var poll = await _h.Client.CheckpointAsync(input.DurableExecutionArn!, r.CheckpointToken!, [], ctx.RequestAborted);
            polled = poll.NewExecutionState.Operations;
            await FakeFunctionServer.Answer(ctx, 200, Succeeded);
        };

        var arn = _h.Service.StartExecution("remote", "\"x\"");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        _h.Clock.Advance(TimeSpan.FromSeconds(2));
        advanced.SetResult();
        await _h.Service.WaitForIdleAsync(arn);

        Assert.That(polled!.Select(o => (o.Id, o.Status)), Is.EqualTo(new[] { ("w1", OperationStatus.Succeeded) }));
        var history = (await _h.Client.GetDurableExecutionHistoryAsync(arn, includeExecutionData: true, maxItems: 1000)).Events;
        Assert.That(history.Select(e => e.EventType), Is.EqualTo(new[]
        {
            HistoryEventType.ExecutionStarted, HistoryEventType.WaitStarted, HistoryEventType.WaitSucceeded,
            HistoryEventType.InvocationCompleted, HistoryEventType.ExecutionSucceeded,
        }), "one invocation: the wait completed while it ran");
    }
}
