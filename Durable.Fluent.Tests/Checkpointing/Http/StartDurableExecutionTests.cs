using System.Net;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Checkpointing.Http;
using static Durable.Fluent.Tests.Checkpointing.Http.ClientTestSupport;

namespace Durable.Fluent.Tests.Checkpointing.Http;

/// <summary>StartDurableExecutionAsync: Lambda Invoke (Event) with the execution name, the ARN read from the response header.</summary>
[TestFixture]
public sealed class StartDurableExecutionTests
{
    private const string Started = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/order-42/abc";

    [Test]
    public async Task It_invokes_the_function_asynchronously_with_the_name_and_returns_the_arn_header()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.Accepted, configure: r => r.Headers.Add("X-Amz-Durable-Execution-Arn", Started)));
        using var _c = client;

        var arn = await client.StartDurableExecutionAsync("orders", """{"orderId":"order-42"}""", "order-42", "live");

        Assert.That(arn, Is.EqualTo(Started));
        var request = handler.Requests.Single();
        Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(request.Uri.AbsoluteUri, Is.EqualTo("https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/orders/invocations?Qualifier=live"));
        Assert.That(request.Header("X-Amz-Invocation-Type"), Is.EqualTo("Event"));
        Assert.That(request.Header("X-Amz-Durable-Execution-Name"), Is.EqualTo("order-42"));
        Assert.That(request.Header("Content-Type"), Is.EqualTo("application/json"));
        Assert.That(request.BodyText, Is.EqualTo("""{"orderId":"order-42"}"""));
        Assert.That(request.Header("Authorization"), Does.StartWith("AWS4-HMAC-SHA256 "), "signed like every other call");
    }

    [Test]
    public async Task A_tenant_id_is_sent_as_X_Amz_Tenant_Id()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.Accepted, configure: r => r.Headers.Add("X-Amz-Durable-Execution-Arn", Started)));
        using var _c = client;

        await client.StartDurableExecutionAsync("orders", "{}", "order-42", tenantId: "tenant-7");

        Assert.That(handler.Requests.Single().Header("X-Amz-Tenant-Id"), Is.EqualTo("tenant-7"));
    }

    [Test]
    public async Task Without_a_name_or_input_it_sends_an_empty_object_and_no_name_header()
    {
        var (client, handler, _) = Create(h => h.Respond(HttpStatusCode.Accepted, configure: r => r.Headers.Add("X-Amz-Durable-Execution-Arn", Started)));
        using var _c = client;

        await client.StartDurableExecutionAsync("orders", null);

        var request = handler.Requests.Single();
        Assert.That(request.Header("X-Amz-Durable-Execution-Name"), Is.Null);
        Assert.That(request.Header("X-Amz-Tenant-Id"), Is.Null);
        Assert.That(request.BodyText, Is.EqualTo("{}"));
        Assert.That(request.Uri.Query, Is.Empty);
    }

    [Test]
    public void A_function_that_is_not_durable_answers_without_an_arn_and_that_is_an_error()
    {
        var (client, _, _) = Create(h => h.Respond(HttpStatusCode.Accepted));
        using var _c = client;

        var ex = Assert.ThrowsAsync<CheckpointException>(() => client.StartDurableExecutionAsync("plain-function", "{}"));

        Assert.That(ex!.Message, Does.Contain("X-Amz-Durable-Execution-Arn").And.Contain("not a durable function"));
    }

    [Test]
    public void A_refused_start_keeps_the_service_error_type()
    {
        var (client, _, _) = Create(h => h.Respond(HttpStatusCode.Conflict, """{"__type":"DurableExecutionAlreadyStartedException","message":"order-42 already ran"}"""));
        using var _c = client;

        var ex = Assert.ThrowsAsync<CheckpointException>(() => client.StartDurableExecutionAsync("orders", "{}", "order-42"));

        Assert.That(ex!.ErrorCode, Is.EqualTo("DurableExecutionAlreadyStartedException"));
        Assert.That(ex.StatusCode, Is.EqualTo(409));
    }
}
