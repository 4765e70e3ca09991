using System.Net;
using Durable.Fluent.Checkpointing;
using static Durable.Fluent.Tests.Checkpointing.Http.ClientTestSupport;

namespace Durable.Fluent.Tests.Checkpointing.Http;

/// <summary>Retries (429, 5xx, network, timeouts only) and the mapping of failures to <see cref="CheckpointException"/>.</summary>
[TestFixture]
public sealed class LambdaDurableExecutionClientErrorTests
{
    /// <summary>Bounds a wait for a signal that always comes: only a hang reaches it.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private const string OkCheckpoint = """{"CheckpointToken":"t2","NewExecutionState":{"Operations":[]}}""";

    [Test]
    public async Task A_503_is_retried_until_success()
    {
        var (client, handler, _) = Create(h => h
            .Respond(HttpStatusCode.ServiceUnavailable, """{"Type":"ServiceException","Message":"busy"}""")
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.OK, OkCheckpoint));
        using var _c = client;

        var result = await client.CheckpointAsync(Arn, "t1", [], CancellationToken.None);

        Assert.That(result.CheckpointToken, Is.EqualTo("t2"));
        Assert.That(handler.Requests, Has.Count.EqualTo(3));
        Assert.That(handler.Requests.Select(r => r.BodyText).Distinct().Count(), Is.EqualTo(1), "every attempt sends the same body");
    }

    [Test]
    public async Task Retry_delays_run_on_the_injected_TimeProvider()
    {
        var (client, handler, clock) = Create(
            h => h.Respond(HttpStatusCode.TooManyRequests).Respond(HttpStatusCode.OK, OkCheckpoint),
            o => o with { RetryBaseDelay = TimeSpan.FromSeconds(10), RetryMaxDelay = TimeSpan.FromSeconds(30) });
        using var _c = client;

        var call = client.CheckpointAsync(Arn, "t1", [], CancellationToken.None);
        Assert.That(await handler.Arrived.WaitAsync(Guard), Is.True);

        // The backoff waits on the fake clock: its timer (at most RetryMaxDelay; the attempt timeout is 55 s) is created
        // there, and without advancing the clock no second attempt is made. The clock is advanced only once that timer
        // exists: a timer created after the advance would be due 10 s to 30 s after the new time and never fire.
        await clock.WaitForTimerAsync(due => due > TimeSpan.Zero && due <= TimeSpan.FromSeconds(30), Guard);
        await Task.Delay(200);
        Assert.That(call.IsCompleted, Is.False);
        Assert.That(handler.Requests, Has.Count.EqualTo(1));

        clock.Advance(TimeSpan.FromSeconds(31));
        var result = await call.WaitAsync(Guard);

        Assert.That(result.CheckpointToken, Is.EqualTo("t2"));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public void Throttling_that_outlasts_the_retries_is_a_retryable_CheckpointException()
    {
        var (client, handler, _) = Create(h => h.Respond(
            HttpStatusCode.TooManyRequests,
            """{"Type":"TooManyRequestsException","message":"Rate exceeded"}"""));
        using var _c = client;

        var ex = Assert.ThrowsAsync<CheckpointException>(() => client.CheckpointAsync(Arn, "t1", [], CancellationToken.None));

        Assert.That(handler.Requests, Has.Count.EqualTo(4), "1 attempt + 3 retries (default)");
        Assert.That(ex!.StatusCode, Is.EqualTo(429));
        Assert.That(ex.ErrorCode, Is.EqualTo("TooManyRequestsException"));
        Assert.That(ex.Message, Is.EqualTo("Rate exceeded"));
        Assert.That(ex.IsRetryable, Is.True);
    }

    [Test]
    public void A_500_that_outlasts_the_retries_is_retryable()
    {
        var (client, handler, _) = Create(
            h => h.Respond(HttpStatusCode.InternalServerError, """{"__type":"com.amazon.coral#ServiceException","Message":"oops"}"""),
            o => o with { MaxRetries = 1 });
        using var _c = client;

        var ex = Assert.ThrowsAsync<CheckpointException>(() => client.GetStateAsync(Arn, "t1", string.Empty, CancellationToken.None));

        Assert.That(handler.Requests, Has.Count.EqualTo(2));
        Assert.That(ex!.StatusCode, Is.EqualTo(500));
        Assert.That(ex.ErrorCode, Is.EqualTo("ServiceException"));
        Assert.That(ex.IsRetryable, Is.True);
    }

    [Test]
    public void A_400_is_not_retried_and_fails_the_execution()
    {
        var (client, handler, _) = Create(h => h
            .Respond(HttpStatusCode.BadRequest, """{"Type":"InvalidParameterValueException","message":"Cannot start a WAIT twice"}""")
            .Respond(HttpStatusCode.OK, OkCheckpoint));
        using var _c = client;

        var ex = Assert.ThrowsAsync<CheckpointException>(() => client.CheckpointAsync(Arn, "t1", [], CancellationToken.None));

        Assert.That(handler.Requests, Has.Count.EqualTo(1), "a POST checkpoint answered with a 4xx is never resent");
        Assert.That(ex!.StatusCode, Is.EqualTo(400));
        Assert.That(ex.ErrorCode, Is.EqualTo("InvalidParameterValueException"));
        Assert.That(ex.Message, Is.EqualTo("Cannot start a WAIT twice"));
        Assert.That(ex.IsRetryable, Is.False);
    }

    [Test]
    public void An_invalid_checkpoint_token_is_not_retried_here_but_is_retryable_for_the_invocation()
    {
        var (client, handler, _) = Create(h => h.Respond(
            HttpStatusCode.BadRequest,
            """{"Type":"InvalidParameterValueException","message":"Invalid Checkpoint Token: stale sequence"}"""));
        using var _c = client;

        var ex = Assert.ThrowsAsync<CheckpointException>(() => client.CheckpointAsync(Arn, "old", [], CancellationToken.None));

        Assert.That(handler.Requests, Has.Count.EqualTo(1));
        Assert.That(ex!.IsRetryable, Is.True);
    }

    [Test]
    public void A_404_reads_the_error_type_header_and_is_not_retried()
    {
        var (client, handler, _) = Create(h => h.Respond(
            HttpStatusCode.NotFound,
            """{"Message":"Execution not found"}""",
            r => r.Headers.TryAddWithoutValidation("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/")));
        using var _c = client;

        var ex = Assert.ThrowsAsync<CheckpointException>(() => client.GetDurableExecutionAsync(Arn));

        Assert.That(handler.Requests, Has.Count.EqualTo(1));
        Assert.That(ex!.ErrorCode, Is.EqualTo("ResourceNotFoundException"));
        Assert.That(ex.Message, Is.EqualTo("Execution not found"));
        Assert.That(ex.StatusCode, Is.EqualTo(404));
        Assert.That(ex.IsRetryable, Is.False);
    }

    [Test]
    public void An_error_without_a_body_gets_a_message_naming_the_operation()
    {
        var (client, _, _) = Create(h => h.Respond(HttpStatusCode.Conflict));
        using var _c = client;

        var ex = Assert.ThrowsAsync<CheckpointException>(() => client.SendCallbackSuccessAsync("cb", "{}"));

        Assert.That(ex!.Message, Is.EqualTo("SendDurableExecutionCallbackSuccess failed with HTTP 409."));
        Assert.That(ex.ErrorCode, Is.Null);
        Assert.That(ex.IsRetryable, Is.False);
    }

    [Test]
    public async Task Network_errors_are_retried()
    {
        var (client, handler, _) = Create(h => h
            .Throw(new HttpRequestException("connection refused"))
            .Throw(new HttpRequestException("connection reset"))
            .Respond(HttpStatusCode.OK, OkCheckpoint));
        using var _c = client;

        var result = await client.CheckpointAsync(Arn, "t1", [], CancellationToken.None);

        Assert.That(result.CheckpointToken, Is.EqualTo("t2"));
        Assert.That(handler.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public void Network_errors_that_outlast_the_retries_are_retryable_with_status_0()
    {
        var (client, handler, _) = Create(h => h.Throw(new HttpRequestException("connection refused")), o => o with { MaxRetries = 2 });
        using var _c = client;

        var ex = Assert.ThrowsAsync<CheckpointException>(() => client.CheckpointAsync(Arn, "t1", [], CancellationToken.None));

        Assert.That(handler.Requests, Has.Count.EqualTo(3));
        Assert.That(ex!.StatusCode, Is.Zero);
        Assert.That(ex.IsRetryable, Is.True);
        Assert.That(ex.InnerException, Is.TypeOf<HttpRequestException>());
    }

    [Test]
    public async Task An_attempt_that_exceeds_the_request_timeout_is_a_retryable_timeout()
    {
        var (client, handler, clock) = Create(h => h.Hang(), o => o with { MaxRetries = 0 });
        using var _c = client;

        var call = client.CheckpointAsync(Arn, "t1", [], CancellationToken.None);
        Assert.That(await handler.Arrived.WaitAsync(Guard), Is.True);
        clock.Advance(TimeSpan.FromSeconds(56));

        var ex = Assert.ThrowsAsync<CheckpointException>(() => call.WaitAsync(Guard));
        Assert.That(ex!.ErrorCode, Is.EqualTo("RequestTimeout"));
        Assert.That(ex.StatusCode, Is.Zero);
        Assert.That(ex.IsRetryable, Is.True);
    }

    [Test]
    public async Task A_timed_out_attempt_is_retried()
    {
        var (client, handler, clock) = Create(h => h.Hang().Respond(HttpStatusCode.OK, OkCheckpoint), o => o with { MaxRetries = 1 });
        using var _c = client;

        var call = client.CheckpointAsync(Arn, "t1", [], CancellationToken.None);
        Assert.That(await handler.Arrived.WaitAsync(Guard), Is.True);
        clock.Advance(TimeSpan.FromSeconds(56));

        var result = await call.WaitAsync(Guard);
        Assert.That(result.CheckpointToken, Is.EqualTo("t2"));
        Assert.That(handler.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Caller_cancellation_is_rethrown_and_not_retried()
    {
        var (client, handler, _) = Create(h => h.Hang());
        using var _c = client;
        using var cts = new CancellationTokenSource();

        var call = client.CheckpointAsync(Arn, "t1", [], cts.Token);
        Assert.That(await handler.Arrived.WaitAsync(Guard), Is.True);
        await cts.CancelAsync();

        Assert.That(async () => await call, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(handler.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void A_success_response_that_is_not_JSON_is_a_retryable_error()
    {
        var (client, _, _) = Create(h => h.Respond(HttpStatusCode.OK, "<html>proxy</html>"));
        using var _c = client;

        var ex = Assert.ThrowsAsync<CheckpointException>(() => client.CheckpointAsync(Arn, "t1", [], CancellationToken.None));

        Assert.That(ex!.ErrorCode, Is.EqualTo("InvalidResponse"));
        Assert.That(ex.IsRetryable, Is.True);
    }
}
