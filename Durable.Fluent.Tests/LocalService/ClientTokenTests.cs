using System.Text;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// CheckpointDurableExecution's ClientToken: the same request repeated within 15 minutes is answered from the cache, and a
/// reused ClientToken with a different request is refused as an idempotency conflict — its updates are never dropped
/// silently.
/// </summary>
public class ClientTokenTests
{
    private ServiceHarness _h = null!;
    private string _arn = null!;
    private string _token = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = new ServiceHarness(register: s => s.Register("cb", new CallbackHandler().HandleAsync));
        _arn = _h.Service.StartExecution("cb", null, "client-token");
        await _h.Service.WaitForIdleAsync(_arn);
        _token = _h.Service.Engine.BeginInvocation(_arn).CheckpointToken!; // this test plays the function
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task The_same_request_repeated_is_answered_from_the_cache_without_applying_it_twice()
    {
        var first = await _h.Client.CheckpointAsync(_arn, _token, [Wait("w1", 5)], "retry-1", CancellationToken.None);
        var history = _h.Service.Engine.GetHistory(_arn).Count;

        var again = await _h.Client.CheckpointAsync(_arn, _token, [Wait("w1", 5)], "retry-1", CancellationToken.None);

        Assert.That(again.CheckpointToken, Is.EqualTo(first.CheckpointToken));
        Assert.That(Json(again.NewExecutionState), Is.EqualTo(Json(first.NewExecutionState)));
        Assert.That(_h.Service.Engine.GetHistory(_arn), Has.Count.EqualTo(history), "nothing was applied twice");
    }

    [Test]
    public async Task A_reused_client_token_with_different_updates_is_refused_and_changes_nothing()
    {
        await _h.Client.CheckpointAsync(_arn, _token, [Wait("w1", 5)], "reused", CancellationToken.None);
        var before = Snapshot();

        var ex = Assert.ThrowsAsync<CheckpointException>(() => _h.Client.CheckpointAsync(_arn, _token, [Wait("w2", 7)], "reused", CancellationToken.None));

        Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((400, "InvalidParameterValueException")));
        Assert.That(ex.Message, Does.Contain("ClientToken").And.Contain("idempotency"));
        Assert.That(ex.IsRetryable, Is.False, "a conflict is not a stale token: retrying cannot help");
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_reused_client_token_with_a_different_checkpoint_token_is_refused()
    {
        var first = await _h.Client.CheckpointAsync(_arn, _token, [Wait("w1", 5)], "reused", CancellationToken.None);
        var before = Snapshot();

        // A valid, current token — but the ClientToken names the earlier request.
        var ex = Assert.ThrowsAsync<CheckpointException>(() => _h.Client.CheckpointAsync(_arn, first.CheckpointToken!, [Wait("w1", 5)], "reused", CancellationToken.None));

        Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((400, "InvalidParameterValueException")));
        Assert.That(ex.Message, Does.Contain("idempotency"));
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task After_fifteen_minutes_the_client_token_is_forgotten()
    {
        await _h.Client.CheckpointAsync(_arn, _token, [Wait("w1", 5)], "old", CancellationToken.None);
        var token = _h.Service.Engine.BeginInvocation(_arn).CheckpointToken!;
        _h.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));

        var reused = await _h.Client.CheckpointAsync(_arn, token, [Wait("w2", 7)], "old", CancellationToken.None);

        Assert.That(reused.CheckpointToken, Is.Not.Null);
        Assert.That(_h.Service.Engine.GetOperations(_arn).Select(o => o.Id), Does.Contain("w2"));
    }

    [Test]
    public async Task Client_tokens_of_different_executions_do_not_collide()
    {
        var other = _h.Service.StartExecution("cb", null, "client-token-2");
        await _h.Service.WaitForIdleAsync(other);
        var otherToken = _h.Service.Engine.BeginInvocation(other).CheckpointToken!;

        await _h.Client.CheckpointAsync(_arn, _token, [Wait("w1", 5)], "shared", CancellationToken.None);
        await _h.Client.CheckpointAsync(other, otherToken, [Wait("w9", 9)], "shared", CancellationToken.None);

        Assert.That(_h.Service.Engine.GetOperations(other).Select(o => o.Id), Does.Contain("w9"));
    }

    [Test]
    public async Task The_same_updates_written_differently_are_the_same_request()
    {
        await _h.Client.CheckpointAsync(_arn, _token, [Wait("w1", 5)], "spacing", CancellationToken.None);
        var spaced = "{ \"Updates\" : [ {\"WaitOptions\":{\"WaitSeconds\":5},\"Id\":\"w1\",\"Type\":\"WAIT\",\"SubType\":\"Wait\",\"Action\":\"START\"} ],\n \"ClientToken\":\"spacing\", \"CheckpointToken\":\"" + _token + "\" }";
        using var response = await _h.Http.PostAsync(
            "/2025-12-01/durable-executions/" + Uri.EscapeDataString(_arn) + "/checkpoint",
            new StringContent(spaced, Encoding.UTF8, "application/json"));
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
    }

    private static OperationUpdate Wait(string id, int seconds)
        => new() { Id = id, Type = OperationType.Wait, SubType = "Wait", Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = seconds } };

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, WireJson.Rest);

    private string Snapshot() => Json(new
    {
        Execution = _h.Service.Engine.GetExecution(_arn),
        Operations = _h.Service.Engine.GetOperations(_arn),
        Events = _h.Service.Engine.GetHistory(_arn).Count,
    });
}
