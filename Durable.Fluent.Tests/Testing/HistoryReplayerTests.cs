using System.Text.Json;
using System.Text.Json.Nodes;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Testing;

public class HistoryReplayerTests
{
    private static Workflow<string, string> V1(Action? onCharge = null) => Workflow.For<string>()
        .Then("reserve", (s, _) => s + ":reserved")
        .Then("charge", (s, _) => { onCharge?.Invoke(); return s + ":charged"; }, c => c.AtMostOncePerRetry())
        .WaitForCallback<string>("approval", (_, _) => { })
        .Then("ship", (s, _) => s + ":shipped")
        .Build();

    private static async Task<IReadOnlyList<HistoryEvent>> InFlightHistoryAsync()
    {
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(V1(), "o-1");
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Running), "precondition: suspended on the approval");
        return execution.History;
    }

    [Test]
    public async Task The_same_definition_replays_an_in_flight_history_without_running_any_step()
    {
        var history = await InFlightHistoryAsync();
        var charges = 0;
        var result = await HistoryReplayer.CheckAsync(V1(() => charges++), history);
        Assert.That(result.Compatible, Is.True, result.Problem);
        Assert.That(result.Outcome, Is.EqualTo(InvocationStatus.Pending));
        Assert.That(charges, Is.EqualTo(0));
    }

    [Test]
    public async Task A_renamed_step_is_reported_as_incompatible_naming_both_sides()
    {
        var history = await InFlightHistoryAsync();
        var v2 = Workflow.For<string>()
            .Then("reserve_stock", (s, _) => s)
            .Then("charge", (s, _) => s)
            .WaitForCallback<string>("approval", (_, _) => { })
            .Build();
        var result = await HistoryReplayer.CheckAsync(v2, history);
        Assert.That(result.Compatible, Is.False);
        Assert.That(result.Problem, Does.Contain("'reserve'").And.Contain("'reserve_stock'"));
    }

    [Test]
    public async Task A_step_added_after_the_recorded_work_is_compatible_and_reported_as_new_work()
    {
        using var runner = new DurableTestRunner();
        var v1 = Workflow.For<int>().Then("a", (x, _) => x + 1).Wait("w", TimeSpan.FromSeconds(5)).Build();
        var finished = await runner.RunAsync(v1, 1);
        var v2 = Workflow.For<int>().Then("a", (x, _) => x + 1).Wait("w", TimeSpan.FromSeconds(5)).Then("b", (x, _) => x * 10).Build();

        var result = await HistoryReplayer.CheckAsync(v2, finished.History);
        Assert.That(result.Compatible, Is.True);
        Assert.That(result.ReachedNewWork, Does.Contain("'b'"));
    }

    [Test]
    public async Task A_history_exported_as_json_replays_like_the_events()
    {
        var history = await InFlightHistoryAsync();
        var json = new JsonObject { ["Events"] = new JsonArray(history.Select(e => JsonSerializer.SerializeToNode(e, WireJson.Rest)).ToArray()) }.ToJsonString();
        var result = await HistoryReplayer.CheckAsync(V1(), json);
        Assert.That(result.Compatible, Is.True);
        Assert.That(result.RecordedOperations, Is.EqualTo(HistoryReplayer.OperationsFromHistory(history).Count - 1));
    }

    [Test]
    public async Task A_finished_execution_replays_to_its_recorded_outcome()
    {
        using var runner = new DurableTestRunner();
        var wf = Workflow.For<int>().Then("a", (x, _) => x + 1, s => s.NoRetry()).Then("b", int (_, _) => throw new InvalidOperationException("boom"), s => s.NoRetry()).Build();
        var failed = await runner.RunAsync(wf, 1);
        var result = await HistoryReplayer.CheckAsync(wf, failed.History);
        Assert.That(result.Compatible, Is.True);
        Assert.That(result.Outcome, Is.EqualTo(InvocationStatus.Failed));
        Assert.That(result.Error!.ErrorMessage, Is.EqualTo("boom"));
    }
}

public class PayloadBudgetTests
{
    [Test]
    public async Task Payload_sizes_are_reported_largest_first_and_a_budget_names_the_offenders()
    {
        var wf = Workflow.For<int>()
            .Then("small", (x, _) => x)
            .Then("big", (x, _) => new string('x', 100_000))
            .Build();
        using var runner = new DurableTestRunner();
        var execution = await runner.RunAsync(wf, 1);

        var sizes = execution.PayloadSizes();
        Assert.That(sizes[0].Name, Is.EqualTo("big"));
        Assert.That(sizes[0].Bytes, Is.EqualTo(100_002));
        var ex = Assert.Throws<InvalidOperationException>(() => execution.EnsurePayloadsWithin(64 * 1024));
        Assert.That(ex!.Message, Does.Contain("'big'").And.Not.Contain("'small'"));
        Assert.DoesNotThrow(() => execution.EnsurePayloadsWithin(200_000));
    }
}
