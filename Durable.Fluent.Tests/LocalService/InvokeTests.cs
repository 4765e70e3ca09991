using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// Starting executions the AWS way, over real HTTP: Lambda's Invoke (<c>POST /2015-03-31/functions/{FunctionName}/invocations</c>)
/// with <c>X-Amz-Durable-Execution-Name</c>, as the AWS CLI and SDKs send it.
/// </summary>
public class InvokeTests
{
    private const string ArnHeader = "X-Amz-Durable-Execution-Arn";
    private static readonly Workflow<string, string> StepWaitStep = Workflow.For<string>()
        .Then("first", (s, _) => s + "-a")
        .Wait("pause", TimeSpan.FromSeconds(60))
        .Then("second", (s, _) => s + "-b")
        .Build();

    private static readonly Workflow<string, string> Fails = Workflow.For<string>()
        .Then("boom", (s, _) => Decline(s), step => step.Retry(Durable.Fluent.Retries.RetryPresets.None))
        .Build();

    private ServiceHarness _h = null!;
    private CallbackHandler _handler = null!;

    [SetUp]
    public void SetUp()
    {
        _handler = new CallbackHandler();
        _h = new ServiceHarness(register: s => s.Register("cb", _handler.HandleAsync).Register("steps", StepWaitStep).Register("fails", Fails));
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task An_event_invocation_starts_a_named_execution_and_answers_202_with_its_arn()
    {
        using var response = await InvokeAsync("cb", """{"order":42}""", name: "order-42", type: "Event");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var arn = response.Headers.GetValues(ArnHeader).Single();
        Assert.That(arn, Does.Match(@"^arn:aws:lambda:us-east-1:\d{12}:function:cb:\$LATEST/durable-execution/order-42/[a-zA-Z0-9_-]+$"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.Empty);
        await _h.Service.WaitForIdleAsync(arn);
        var execution = await _h.Client.GetDurableExecutionAsync(arn);
        Assert.That((execution.DurableExecutionName, execution.InputPayload, execution.Status), Is.EqualTo(("order-42", """{"order":42}""", ExecutionStatus.Running)));
        Assert.That(_handler.CallbackId, Is.Not.Null, "the function ran and suspended on its callback");
    }

    [Test]
    public async Task A_request_response_invocation_waits_for_the_whole_durable_execution_and_returns_its_result()
    {
        var call = InvokeAsync("steps", "\"x\"", name: "sync-1"); // RequestResponse is the default
        var arn = await ArnOfAsync("steps", "sync-1");
        await _h.DriveAsync(arn); // the 60 s wait passes on the fake clock; the caller is still waiting

        using var response = await call;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("\"x-a-b\""));
        Assert.That(response.Headers.GetValues(ArnHeader).Single(), Is.EqualTo(arn));
        Assert.That(response.Headers.GetValues("X-Amz-Executed-Version").Single(), Is.EqualTo("$LATEST"));
        Assert.That(response.Headers.Contains("X-Amz-Function-Error"), Is.False);
    }

    [Test]
    public async Task A_failed_durable_execution_is_a_function_error_in_the_lambda_shape()
    {
        using var response = await InvokeAsync("fails", "\"visa\"", name: "sync-fail", type: "RequestResponse");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "Lambda answers 200 and flags the function error");
        Assert.That(response.Headers.GetValues("X-Amz-Function-Error").Single(), Is.EqualTo("Unhandled"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(body.RootElement.GetProperty("errorType").GetString(), Does.Contain("InvalidOperationException"));
        Assert.That(body.RootElement.GetProperty("errorMessage").GetString(), Does.Contain("card declined: visa"));
    }

    [Test]
    public async Task A_synchronous_caller_waits_at_most_the_configured_time_and_the_execution_goes_on()
    {
        await using var h = new ServiceHarness(register: s => s.Register("steps", StepWaitStep), synchronousInvocationTimeout: TimeSpan.FromSeconds(5));
        var call = h.Http.PostAsync("/2015-03-31/functions/steps/invocations", Payload("\"y\"", name: "too-long"));
        var arn = await ArnOfAsync("steps", "too-long", h);
        await h.Service.WaitForIdleAsync(arn);
        for (var i = 0; i < 5 && !call.IsCompleted; i++)
        {
            h.Clock.Advance(TimeSpan.FromSeconds(6)); // the caller's 5 s limit passes; the execution's 60 s wait does not
            await Task.WhenAny(call, Task.Delay(500));
        }

        using var response = await call;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.GetValues("X-Amz-Function-Error").Single(), Is.EqualTo("Unhandled"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(body.RootElement.GetProperty("errorType").GetString(), Is.EqualTo("Sandbox.Timedout"));
        Assert.That(body.RootElement.GetProperty("errorMessage").GetString(), Does.Contain(arn));
        Assert.That((await h.Client.GetDurableExecutionAsync(arn)).Status, Is.EqualTo(ExecutionStatus.Running));
        Assert.That((await h.DriveAsync(arn)).Result, Is.EqualTo("\"y-a-b\""), "it still finishes");
    }

    [Test]
    public async Task The_same_name_and_payload_while_running_is_an_idempotent_start()
    {
        using var first = await InvokeAsync("cb", """{"n":1}""", name: "idem", type: "Event");
        using var again = await InvokeAsync("cb", """{"n":1}""", name: "idem", type: "Event");

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(again.Headers.GetValues(ArnHeader).Single(), Is.EqualTo(first.Headers.GetValues(ArnHeader).Single()));
        Assert.That(_h.Service.Engine.ListExecutions().Count(e => e.DurableExecutionName == "idem"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_same_name_with_another_payload_or_after_the_end_is_DurableExecutionAlreadyStarted()
    {
        using var first = await InvokeAsync("cb", """{"n":1}""", name: "dup", type: "Event");
        var arn = first.Headers.GetValues(ArnHeader).Single();

        using var otherPayload = await InvokeAsync("cb", """{"n":2}""", name: "dup", type: "Event");
        await BadInputTests.AssertError(otherPayload, 409, "DurableExecutionAlreadyStartedException", "Message");

        await _h.Client.StopDurableExecutionAsync(arn);
        using var afterEnd = await InvokeAsync("cb", """{"n":1}""", name: "dup", type: "Event");
        await BadInputTests.AssertError(afterEnd, 409, "DurableExecutionAlreadyStartedException", "Message");
        Assert.That(_h.Service.Engine.ListExecutions().Count(e => e.DurableExecutionName == "dup"), Is.EqualTo(1));
    }

    [Test]
    public async Task Qualifiers_and_function_arns_are_understood()
    {
        using var byQuery = await InvokeAsync("cb", "{}", name: "q1", type: "Event", query: "?Qualifier=7");
        using var inName = await InvokeAsync("cb:8", "{}", name: "q2", type: "Event");
        using var byArn = await InvokeAsync(Uri.EscapeDataString("arn:aws:lambda:us-east-1:123456789012:function:cb"), "{}", name: "q3", type: "Event");
        using var partial = await InvokeAsync("123456789012:function:cb:9", "{}", name: "q4", type: "Event");

        Assert.That(byQuery.Headers.GetValues(ArnHeader).Single(), Does.Contain(":function:cb:7/durable-execution/q1/"));
        Assert.That(inName.Headers.GetValues(ArnHeader).Single(), Does.Contain(":function:cb:8/durable-execution/q2/"));
        Assert.That(byArn.Headers.GetValues(ArnHeader).Single(), Does.Contain(":function:cb:$LATEST/durable-execution/q3/"));
        Assert.That(partial.Headers.GetValues(ArnHeader).Single(), Does.Contain(":function:cb:9/durable-execution/q4/"));

        using var conflicting = await InvokeAsync("cb:8", "{}", name: "q5", type: "Event", query: "?Qualifier=9");
        await BadInputTests.AssertError(conflicting, 400, "InvalidParameterValueException", "message");
    }

    [Test]
    public async Task Unknown_functions_bad_headers_and_bad_payloads_are_refused_and_start_nothing()
    {
        var before = _h.Service.Engine.ListExecutions().Count;
        using var unknown = await InvokeAsync("nope", "{}", name: "u1", type: "Event");
        await BadInputTests.AssertError(unknown, 404, "ResourceNotFoundException", "Message");
        using var badName = await InvokeAsync("cb", "{}", name: "not a name!", type: "Event");
        await BadInputTests.AssertError(badName, 400, "InvalidParameterValueException", "message");
        using var longName = await InvokeAsync("cb", "{}", name: new string('n', 65), type: "Event");
        await BadInputTests.AssertError(longName, 400, "InvalidParameterValueException", "message");
        using var badType = await InvokeAsync("cb", "{}", name: "u2", type: "Sometimes");
        await BadInputTests.AssertError(badType, 400, "InvalidParameterValueException", "message");
        using var badTenant = await InvokeAsync("cb", "{}", name: "u3", type: "Event", tenant: new string('t', 257));
        await BadInputTests.AssertError(badTenant, 400, "InvalidParameterValueException", "message");
        using var notJson = await InvokeAsync("cb", "{oops", name: "u4", type: "Event");
        await BadInputTests.AssertError(notJson, 400, "InvalidRequestContentException", "message");
        using var text = await _h.Http.PostAsync("/2015-03-31/functions/cb/invocations", new StringContent("{}", Encoding.UTF8, "text/plain"));
        await BadInputTests.AssertError(text, 415, "UnsupportedMediaTypeException", "message");
        using var tooLarge = await InvokeAsync("cb", "\"" + new string('x', 1_048_577) + "\"", name: "u5", type: "Event");
        await BadInputTests.AssertError(tooLarge, 413, "RequestTooLargeException", "message");
        Assert.That(_h.Service.Engine.ListExecutions(), Has.Count.EqualTo(before));
    }

    [Test]
    public async Task A_dry_run_validates_and_starts_nothing()
    {
        using var dryRun = await InvokeAsync("cb", "{}", name: "dry", type: "DryRun");
        Assert.That(dryRun.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(_h.Service.Engine.ListExecutions().Any(e => e.DurableExecutionName == "dry"), Is.False);
    }

    [Test]
    public async Task A_payload_sent_as_the_aws_cli_sends_it_without_a_content_type_and_a_tenant_id_are_accepted()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/cb/invocations")
        {
            Content = new ByteArrayContent("""{"cli":true}"""u8.ToArray()),
        };
        request.Headers.Add("X-Amz-Invocation-Type", "Event");
        request.Headers.Add("X-Amz-Durable-Execution-Name", "from-cli");
        request.Headers.Add("X-Amz-Tenant-Id", "tenant-a");
        using var response = await _h.Http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        var execution = await _h.Client.GetDurableExecutionAsync(response.Headers.GetValues(ArnHeader).Single());
        Assert.That(execution.InputPayload, Is.EqualTo("""{"cli":true}"""));
    }

    [Test]
    public async Task Without_a_name_each_invocation_starts_a_new_execution()
    {
        using var a = await InvokeAsync("cb", "{}", name: null, type: "Event");
        using var b = await InvokeAsync("cb", "{}", name: null, type: "Event");
        Assert.That(a.Headers.GetValues(ArnHeader).Single(), Is.Not.EqualTo(b.Headers.GetValues(ArnHeader).Single()));
    }

    private static string Decline(string card) => throw new InvalidOperationException("card declined: " + card);

    private Task<HttpResponseMessage> InvokeAsync(string function, string payload, string? name, string? type = null, string query = "", string? tenant = null)
        => _h.Http.PostAsync($"/2015-03-31/functions/{function}/invocations{query}", Payload(payload, name, type, tenant));

    private static ByteArrayContent Payload(string payload, string? name, string? type = null, string? tenant = null)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream"); // what the JS SDK sends
        if (name is not null)
        {
            content.Headers.Add("X-Amz-Durable-Execution-Name", name);
        }

        if (type is not null)
        {
            content.Headers.Add("X-Amz-Invocation-Type", type);
        }

        if (tenant is not null)
        {
            content.Headers.Add("X-Amz-Tenant-Id", tenant);
        }

        return content;
    }

    private async Task<string> ArnOfAsync(string function, string name, ServiceHarness? harness = null)
    {
        var h = harness ?? _h;
        var deadline = DateTime.UtcNow.AddSeconds(60); // only a hang reaches it: the HTTP request starts the execution
        while (DateTime.UtcNow < deadline)
        {
            if (h.Service.Engine.ListExecutions().FirstOrDefault(e => e.DurableExecutionName == name && e.FunctionArn.EndsWith(":" + function, StringComparison.Ordinal)) is { } e)
            {
                return e.DurableExecutionArn;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"No execution '{name}' was started.");
    }
}
