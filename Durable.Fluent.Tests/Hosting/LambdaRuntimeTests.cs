using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Hosting;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Durable.Fluent.Tests.Hosting;

/// <summary>The custom-runtime loop against a fake Lambda Runtime API (HTTP requests captured in process).</summary>
public class LambdaRuntimeTests
{
    private const string Arn = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/e/abc";

    [Test]
    public async Task One_invocation_is_fetched_run_and_answered_with_the_envelope_output()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var api = new FakeRuntimeApi(EnvelopeJson("\"World\""), requestId: "req-42", deadlineMs: 1_700_000_009_000, traceId: "Root=1-abc");
        (string? RequestId, TimeSpan? Remaining) seen = default;
        var workflow = Workflow.For<string>().Then("greet", (s, ctx) =>
        {
            seen = (ctx.Invocation.RequestId, ctx.Invocation.RemainingTime);
            return $"Hello, {s}!";
        }).Build();
        using var runtime = new LambdaRuntime.RuntimeApi(api, "127.0.0.1:9001");

        var served = await LambdaRuntime.ServeOneAsync(workflow, runtime, Store().Object, new DurableRunOptions { TimeProvider = clock }, CancellationToken.None);

        Assert.That(served, Is.EqualTo("req-42"));
        Assert.That(api.Requests[0], Is.EqualTo("GET http://127.0.0.1:9001/2018-06-01/runtime/invocation/next"));
        Assert.That(api.Requests[1], Is.EqualTo("POST http://127.0.0.1:9001/2018-06-01/runtime/invocation/req-42/response"));
        var output = JsonNode.Parse(api.Bodies[1])!;
        Assert.That((string?)output["Status"], Is.EqualTo("SUCCEEDED"));
        Assert.That((string?)output["Result"], Is.EqualTo("\"Hello, World!\""));
        Assert.That(seen, Is.EqualTo(("req-42", (TimeSpan?)TimeSpan.FromSeconds(9))), "request id and deadline headers reach the step");
        Assert.That(Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"), Is.EqualTo("Root=1-abc"));
    }

    [Test]
    public async Task An_envelope_that_is_not_durable_is_reported_as_the_invocation_error_and_the_loop_goes_on()
    {
        var api = new FakeRuntimeApi("{\"hello\":\"world\"}", requestId: "req-7");
        var workflow = Workflow.For<string>().Then("greet", (s, _) => s).Build();
        using var runtime = new LambdaRuntime.RuntimeApi(api, "127.0.0.1:9001");

        await LambdaRuntime.ServeOneAsync(workflow, runtime, Store().Object, DurableRunOptions.Default, CancellationToken.None);

        Assert.That(api.Requests[1], Is.EqualTo("POST http://127.0.0.1:9001/2018-06-01/runtime/invocation/req-7/error"));
        Assert.That(api.ErrorTypeHeader, Is.EqualTo("Unhandled"));
        var error = JsonNode.Parse(api.Bodies[1])!;
        Assert.That((string?)error["errorType"], Is.EqualTo(typeof(InvalidInvocationInputException).FullName));
        Assert.That((string?)error["errorMessage"], Does.Contain("DurableExecutionArn"));
    }

    [Test]
    public void Running_outside_Lambda_says_what_is_missing()
    {
        Assume.That(Environment.GetEnvironmentVariable(LambdaRuntime.RuntimeApiVariable), Is.Null.Or.Empty);
        var workflow = Workflow.For<string>().Then("greet", (s, _) => s).Build();

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => LambdaRuntime.RunOnceAsync(workflow))!;

        Assert.That(error.Message, Does.Contain("AWS_LAMBDA_RUNTIME_API"));
    }

    private static string EnvelopeJson(string input)
        => "{\"DurableExecutionArn\":\"" + Arn + "\",\"CheckpointToken\":\"t0\",\"InitialExecutionState\":{\"Operations\":[{\"Id\":\"abc\",\"Type\":\"EXECUTION\","
            + "\"Status\":\"STARTED\",\"ExecutionDetails\":{\"InputPayload\":" + System.Text.Json.JsonSerializer.Serialize(input) + "}}]}}";

    private static Mock<ICheckpointStore> Store()
    {
        var store = new Mock<ICheckpointStore>();
        store.Setup(s => s.CheckpointAsync(Arn, It.IsAny<string>(), It.IsAny<IReadOnlyList<OperationUpdate>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CheckpointResult("t1", new ExecutionState { Operations = [] }));
        return store;
    }

    private sealed class FakeRuntimeApi(string body, string requestId, long? deadlineMs = null, string? traceId = null) : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        public List<string> Bodies { get; } = [];

        public string? ErrorTypeHeader { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add($"{request.Method} {request.RequestUri}");
            Bodies.Add(request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken));
            if (request.Method == HttpMethod.Get)
            {
                var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                response.Headers.Add("Lambda-Runtime-Aws-Request-Id", requestId);
                if (deadlineMs is { } d)
                {
                    response.Headers.Add("Lambda-Runtime-Deadline-Ms", d.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                if (traceId is not null)
                {
                    response.Headers.Add("Lambda-Runtime-Trace-Id", traceId);
                }

                return response;
            }

            if (request.Headers.TryGetValues("Lambda-Runtime-Function-Error-Type", out var values))
            {
                ErrorTypeHeader = values.Single();
            }

            return new HttpResponseMessage(HttpStatusCode.Accepted);
        }
    }
}
