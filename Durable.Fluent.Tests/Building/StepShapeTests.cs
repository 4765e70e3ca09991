using Durable.Fluent.Retries;
using Durable.Fluent.Testing;
using Durable.Fluent.Tests.Waiting;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Building;

/// <summary>The step shapes added for authoring safety: no-result steps, token-less async steps, and the Build() backstops.</summary>
public class StepShapeTests
{
    [Test]
    public async Task A_void_step_is_checkpointed_without_a_payload_and_passes_the_value_through()
    {
        var sent = new List<string>();
        var wf = Workflow.For<string>()
            .Then("send_email", (s, ctx) => sent.Add(s))
            .Then("shout", (s, ctx) => s.ToUpperInvariant())
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, "hello");

        Assert.That(execution.Result, Is.EqualTo("HELLO"));
        Assert.That(sent, Is.EqualTo(new[] { "hello" }));
        var step = execution.GetOperation("send_email");
        Assert.That(step.Status, Is.EqualTo(OperationStatus.Succeeded));
        Assert.That(step.StepDetails!.Result, Is.Null, "a step without a result checkpoints no payload");
    }

    [Test]
    public async Task A_task_step_runs_once_and_is_not_rerun_on_replay()
    {
        var runs = 0;
        var wf = Workflow.For<int>()
            .Then("notify", async (n, ctx, ct) => { runs++; await Task.Yield(); })
            .Then("notify_again", (n, ctx) => { runs++; return Task.CompletedTask; })
            .Wait("pause", TimeSpan.FromSeconds(10))
            .Then("double", (n, ctx) => n * 2)
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, 21);

        Assert.That(execution.Result, Is.EqualTo(42));
        Assert.That(execution.Invocations, Is.EqualTo(2), "the wait suspended once, so the steps were replayed once");
        Assert.That(runs, Is.EqualTo(2), "replay returned the recorded outcome without running the bodies again");
    }

    [Test]
    public async Task A_void_step_that_fails_is_retried_like_any_step()
    {
        var attempts = 0;
        var wf = Workflow.For<int>()
            .Then("flaky", (n, ctx) => { if (++attempts < 2) { throw new TimeoutException("slow"); } }, s => s.Retry(RetryPresets.Fixed(TimeSpan.FromSeconds(1))))
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, 7);

        Assert.That(execution.Result, Is.EqualTo(7));
        Assert.That(attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task An_async_step_without_a_token_yields_the_awaited_result()
    {
        var wf = Workflow.Step("load", async (int n, StepContext<int> ctx) => { await Task.Yield(); return $"item-{n}"; })
            .Then("measure", (s, ctx) => Task.FromResult(s.Length))
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, 5);

        Assert.That(execution.Result, Is.EqualTo(6));
        Assert.That(execution.GetOperation("load").StepDetails!.Result, Is.EqualTo("\"item-5\""), "the checkpoint holds the result, not a serialized Task");
    }

    [Test]
    public void Build_rejects_a_step_whose_result_is_a_task()
    {
#pragma warning disable DF0002 // the Build() backstop under test
        var builder = Workflow.For<int>().Then("charge", (n, ctx) => new ValueTask<int>(n));
#pragma warning restore DF0002
        var ex = Assert.Throws<WorkflowDefinitionException>(() => builder.Build());
        Assert.That(ex!.Message, Does.Contain("Step 'charge'").And.Contain("ValueTask<Int32>").And.Contain("(value, ctx, ct)"));
    }

    [Test]
    public void Build_rejects_a_task_typed_select_and_map_function()
    {
#pragma warning disable DF0002 // the backstop under test
        var select = Workflow.For<int>().Child("inner", c => c.Select(n => Task.FromResult(n)).Select(t => 1));
        var map = Workflow.For<int[]>().Map("items", xs => xs, (x, i) => Task.FromResult(x));
#pragma warning restore DF0002
        Assert.That(() => select.Build(), Throws.TypeOf<WorkflowDefinitionException>().With.Message.Contains("Select #1 in the child context 'inner'").And.Message.Contains("Task<Int32>"));
        Assert.That(() => map.Build(), Throws.TypeOf<WorkflowDefinitionException>().With.Message.Contains("Task<Int32>"));
    }

    [Test]
    public void Describe_and_mermaid_show_pure_catch_fallbacks_in_order()
    {
        var wf = Workflow.For<int>()
            .Try(t => t.Then("charge", (n, ctx) => n),
                h => h.Catch<StepFailedException>((e, n) => -1).Catch<ChildContextFailedException>(r => r.Then("refund", (c, ctx) => 0)))
            .Build();

        Assert.That(wf.Describe(), Is.EqualTo("Try\n  try:\n    Step 'charge'\n  catch StepFailedException: fallback function (no operation)\n  catch ChildContextFailedException:\n    Step 'refund'\n"));
        var mermaid = wf.ToMermaid();
        Assert.That(mermaid, Does.Contain("[\"catch StepFailedException\"]").And.Contain("fallback function (no operation)"));
        Assert.That(mermaid.IndexOf("catch StepFailedException", StringComparison.Ordinal), Is.LessThan(mermaid.IndexOf("catch ChildContextFailedException", StringComparison.Ordinal)));
    }

    [Test]
    public async Task Wait_for_callback_combines_the_result_with_the_current_value()
    {
        var wf = Workflow.For<Order>()
            .WaitForCallback("approval", submit: (o, id, ct) => Task.CompletedTask, combine: (Order o, Approval a) => $"{o.Id} approved by {a.By}", cb => cb.Timeout(TimeSpan.FromMinutes(5)))
            .Build();
        using var runner = new DurableTestRunner();
        runner.RespondToCallback("approval", CallbackResponse.SucceedWith(new Approval(true, "alice")));

        var execution = await runner.RunAsync(wf, new Order("o-1", 1m));

        Assert.That(execution.Result, Is.EqualTo("o-1 approved by alice"));
        Assert.That(execution.GetOperation("approval").ContextDetails!.Result, Is.EqualTo("{\"approved\":true,\"by\":\"alice\"}"), "the context checkpoints the callback result; combining happens on replay too");
    }

    [Test]
    public async Task Wait_for_callback_with_combine_turns_a_timeout_into_a_value()
    {
        var wf = Workflow.For<Order>()
            .WaitForCallback("approval", (o, id, ct) => Task.CompletedTask, (Order o, Approval a) => "approved", cb => cb.Timeout(TimeSpan.FromMinutes(5)), onTimeout: (e, o) => $"{o.Id} timed out")
            .Build();
        using var runner = new DurableTestRunner();

        var execution = await runner.RunAsync(wf, new Order("o-2", 1m));

        Assert.That(execution.Result, Is.EqualTo("o-2 timed out"));
    }

    [Test]
    public async Task Await_callback_and_combine_turns_a_timeout_into_a_value()
    {
        var handle = Callback.Declare<Approval>("approval", cb => cb.Timeout(TimeSpan.FromMinutes(1)));
        var wf = Workflow.For<Order>()
            .CreateCallback(handle)
            .AwaitCallbackAndCombine(handle, (o, a) => $"{o.Id}: {a.By}", onTimeout: (e, o) => $"{o.Id}: nobody ({e.Kind})")
            .Build();
        using var runner = new DurableTestRunner();

        var timedOut = await runner.RunAsync(wf, new Order("o-3", 1m));
        runner.RespondToCallback("approval", CallbackResponse.SucceedWith(new Approval(true, "bob")));
        var answered = await runner.RunAsync(wf, new Order("o-4", 1m));

        Assert.That(timedOut.Result, Is.EqualTo("o-3: nobody (Timeout)"));
        Assert.That(answered.Result, Is.EqualTo("o-4: bob"));
    }
}
