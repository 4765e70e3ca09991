using System.Text;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// Whoever can reach the port must not be able to checkpoint into an execution they were not invoked for: checkpoint
/// tokens are random per token and execution ARNs end in a random id, so neither can be derived from what is visible.
/// </summary>
public class TokenSecurityTests
{
    private static readonly OperationUpdate[] Wait =
    [
        new OperationUpdate { Id = "forged", Type = OperationType.Wait, SubType = "Wait", Action = OperationAction.Start, WaitOptions = new WaitOptions { WaitSeconds = 5 } },
    ];

    [Test]
    public async Task A_token_rebuilt_from_the_arn_and_counters_is_rejected_like_a_stale_one_and_changes_nothing()
    {
        var handler = new CallbackHandler();
        await using var h = new ServiceHarness(register: s => s.Register("cb", handler.HandleAsync));
        var victim = h.Service.StartExecution("cb", null, "victim");
        await h.Service.WaitForIdleAsync(victim);
        var live = h.Service.Engine.BeginInvocation(victim).CheckpointToken!; // an invocation is in flight: a token is live
        var before = Dump(h, victim);

        foreach (var forged in Guesses(victim))
        {
            var ex = Assert.ThrowsAsync<CheckpointException>(() => h.Client.CheckpointAsync(victim, forged, Wait, CancellationToken.None));
            Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((400, "InvalidParameterValueException")));
            Assert.That(ex.Message, Does.StartWith("Invalid Checkpoint Token"));
        }

        Assert.That(Dump(h, victim), Is.EqualTo(before));
        Assert.That(Encoding.UTF8.GetString(Convert.FromBase64String(live)), Does.Not.Contain("victim"), "the token reveals nothing about the execution");
        Assert.That((await h.Client.CheckpointAsync(victim, live, [], CancellationToken.None)).CheckpointToken, Is.Not.Null, "the real token still works");
    }

    [Test]
    public async Task Another_executions_token_is_rejected_like_a_stale_one()
    {
        var handler = new CallbackHandler();
        await using var h = new ServiceHarness(register: s => s.Register("cb", handler.HandleAsync));
        var mine = h.Service.StartExecution("cb", null, "mine");
        var theirs = h.Service.StartExecution("cb", null, "theirs");
        await h.Service.WaitForIdleAsync(mine);
        await h.Service.WaitForIdleAsync(theirs);
        var myToken = h.Service.Engine.BeginInvocation(mine).CheckpointToken!;
        h.Service.Engine.BeginInvocation(theirs);
        var before = Dump(h, theirs);

        var ex = Assert.ThrowsAsync<CheckpointException>(() => h.Client.CheckpointAsync(theirs, myToken, Wait, CancellationToken.None));
        Assert.That(ex!.Message, Does.StartWith("Invalid Checkpoint Token"));
        Assert.That(Dump(h, theirs), Is.EqualTo(before));
    }

    [Test]
    public async Task Execution_arns_are_not_derivable_from_the_name_and_the_start_order()
    {
        await using var first = new ServiceHarness(register: s => s.Register("cb", new CallbackHandler().HandleAsync));
        await using var second = new ServiceHarness(register: s => s.Register("cb", new CallbackHandler().HandleAsync));
        var a = first.Service.StartExecution("cb", null, "same-name");
        var b = second.Service.StartExecution("cb", null, "same-name");

        Assert.That(a, Is.Not.EqualTo(b), "same function, same name, same position: a different id");
        var id = a[(a.LastIndexOf('/') + 1)..];
        Assert.That(id, Does.Match("^[a-f0-9]{32}$"), "128 random bits in the ARN's id pattern [a-zA-Z0-9_-]");
        Assert.That(id, Is.Not.EqualTo(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("same-name:1"))).ToLowerInvariant()[..32]));
    }

    [Test]
    public async Task Tokens_and_ids_come_from_the_injected_random_source()
    {
        byte counter = 0;
        await using var service = new LocalDurableService(new LocalDurableServiceOptions
        {
            RandomFill = bytes =>
            {
                counter++;
                Array.Fill(bytes, counter);
            },
        });
        service.Register("cb", new CallbackHandler().HandleAsync);
        var arn = service.StartExecution("cb", null, "seeded"); // not started: nothing runs in the background
        var token = service.Engine.BeginInvocation(arn).CheckpointToken!;

        var arnId = arn[(arn.LastIndexOf('/') + 1)..];
        Assert.That(arnId, Has.Length.EqualTo(32));
        Assert.That(Convert.FromHexString(arnId).Distinct().Count(), Is.EqualTo(1), "the id is the hex of one filled buffer");
        var raw = Convert.FromBase64String(token);
        Assert.That(raw, Has.Length.EqualTo(32));
        Assert.That(raw.Distinct().Count(), Is.EqualTo(1), "the token is the base64 of one filled buffer");
        Assert.That(raw[0], Is.Not.EqualTo(Convert.FromHexString(arnId)[0]), "each identifier draws fresh bytes");
    }

    [Test]
    public async Task Every_checkpoint_issues_a_new_unpredictable_token_in_the_base64_alphabet()
    {
        await using var service = new LocalDurableService().Start();
        var handler = new CallbackHandler();
        service.Register("cb", handler.HandleAsync);
        var arn = service.StartExecution("cb", null);
        await service.WaitForIdleAsync(arn);
        var token = service.Engine.BeginInvocation(arn).CheckpointToken!;
        var tokens = new List<string> { token };
        for (var i = 0; i < 20; i++)
        {
            token = service.Engine.Checkpoint(arn, token, []).CheckpointToken!;
            tokens.Add(token);
        }

        Assert.That(tokens, Is.Unique);
        Assert.That(tokens, Has.All.Matches<string>(t => System.Text.RegularExpressions.Regex.IsMatch(t, "^[A-Za-z0-9+/]+={0,2}$") && t.Length is >= 43 and <= 2048));
    }

    /// <summary>What an attacker who knows the ARN and the old token format would try.</summary>
    private static IEnumerable<string> Guesses(string arn)
    {
        for (var seq = 0; seq <= 4; seq++)
        {
            for (var inv = 0; inv <= 3; inv++)
            {
                yield return Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"arn\":{JsonSerializer.Serialize(arn)},\"seq\":{seq},\"inv\":{inv}}}"));
                yield return Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"arn\":\"{arn}\",\"seq\":{seq},\"inv\":{inv}}}"));
            }
        }
    }

    private static string Dump(ServiceHarness h, string arn) => JsonSerializer.Serialize(new
    {
        Execution = h.Service.Engine.GetExecution(arn),
        Operations = h.Service.Engine.GetOperations(arn),
        Events = h.Service.Engine.GetHistory(arn).Count,
    }, WireJson.Rest);
}
