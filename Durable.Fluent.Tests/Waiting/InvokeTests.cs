using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using static Durable.Fluent.Tests.Waiting.WaitingTestSupport;

namespace Durable.Fluent.Tests.Waiting;

public class InvokeTests
{
    public sealed record Tenanted(string TenantId, string Payload);

    public sealed record Named(string Name, string Payload);

    private static readonly Workflow<string, string> Echo = Workflow.For<string>()
        .Wait("echo_delay", TimeSpan.FromSeconds(1))
        .Then("echo", (s, _) => s)
        .Build();

    private static readonly Workflow<string, string> Failing = Workflow.For<string>()
        .Wait("fail_delay", TimeSpan.FromSeconds(1))
        .Then("explode", string (s, _) => throw new InvalidOperationException($"target rejected {s}"), c => c.NoRetry())
        .Build();

    [Test]
    public async Task Invokes_a_durable_echo_target_run_as_a_child_execution()
    {
        var wf = Workflow.For<string>().Invoke<string>("call_echo", "echo").Then("after", (s, _) => s + "!").Build();
        using var runner = new DurableTestRunner();
        runner.RegisterFunction("echo", Echo);
        var start = runner.Clock.GetUtcNow();

        var execution = await runner.RunAsync(wf, "hello");

        Dump(execution);
        Assert.That(execution.Result, Is.EqualTo("hello!"));
        Assert.That(Sequence(execution), Is.EqualTo(new[]
        {
            "ChainedInvokeStarted", "InvocationCompleted", "ChainedInvokeSucceeded", "StepStarted", "StepSucceeded", "InvocationCompleted", "ExecutionSucceeded",
        }));
        var started = execution.History.Single(e => e.EventType == HistoryEventType.ChainedInvokeStarted);
        Assert.That(started.SubType, Is.EqualTo(OperationSubTypes.ChainedInvoke));
        Assert.That(started.Details.FunctionName, Is.EqualTo("echo"));
        Assert.That(started.Details.Input!.Payload, Is.EqualTo("\"hello\""));
        Assert.That(started.Details.ExecutedVersion, Is.EqualTo("$LATEST"));
        var child = runner.Engine.GetExecution(started.Details.DurableExecutionArn!);
        Assert.That(child.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        var succeeded = execution.History.Single(e => e.EventType == HistoryEventType.ChainedInvokeSucceeded);
        Assert.That(succeeded.Details.Result!.Payload, Is.EqualTo("\"hello\""));
        Assert.That(succeeded.EventTimestamp, Is.EqualTo(child.EndTimestamp), "the parent's trigger fires at the child's end time");
        Assert.That(succeeded.EventTimestamp - start, Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task Failing_target_is_caught_as_InvokeFailedException_also_on_replay()
    {
        var caught = 0;
        var wf = Workflow.For<string>()
            .Try(b => b.Invoke<string>("call_failing", "failing"), h => h.Catch<InvokeFailedException>((ex, _) =>
            {
#pragma warning disable DF0001 // the test records what the fallback saw
                caught++;
#pragma warning restore DF0001
                return $"fallback ({ex.Message})";
            }))
            .Wait("after", TimeSpan.FromSeconds(1))
            .Build();
        using var runner = new DurableTestRunner();
        runner.RegisterFunction("failing", Failing);

        var execution = await runner.RunAsync(wf, "x");

        Dump(execution);
        Assert.That(execution.Result, Is.EqualTo("fallback (target rejected \"x\")").Or.EqualTo("fallback (target rejected x)"));
        Assert.That(caught, Is.EqualTo(2), "caught on the first run and again on replay");
        Assert.That(Sequence(execution), Is.EqualTo(new[]
        {
            "ChainedInvokeStarted", "InvocationCompleted", "ChainedInvokeFailed", "WaitStarted", "InvocationCompleted",
            "WaitSucceeded", "InvocationCompleted", "ExecutionSucceeded",
        }));
    }

    [Test]
    public async Task Tenant_id_payload_projection_and_dynamic_name_are_recorded()
    {
        var wf = Workflow.For<Tenanted>()
            .Invoke<string>(OperationName.FromInput<Tenanted>(t => $"invoke_{t.TenantId}"), "echo", payload: t => t.Payload, cfg => cfg.TenantId(t => t.TenantId))
            .Build();
        using var runner = new DurableTestRunner();
        runner.RegisterFunction("echo", Echo);

        var execution = await runner.RunAsync(wf, new Tenanted("t-42", "data"));

        Assert.That(execution.Result, Is.EqualTo("data"));
        var started = execution.History.Single(e => e.EventType == HistoryEventType.ChainedInvokeStarted);
        Assert.That(started.Details.TenantId, Is.EqualTo("t-42"));
        Assert.That(started.Name, Is.EqualTo("invoke_t-42"));
    }

    [Test]
    public async Task Plain_function_custom_serializers_and_unknown_function()
    {
        var wf = Workflow.For<string>()
            .Invoke<string>("shout", "upper", cfg => cfg.PayloadSerDes(new Prefixing("in:")).ResultSerDes(new Prefixing("out:")))
            .Try(b => b.Invoke<string>("missing", "no-such-function"), h => h.Catch<InvokeFailedException>((ex, v) => $"{v}|{ex.ErrorType}"))
            .Build();
        using var runner = new DurableTestRunner();
        runner.RegisterRawFunction("upper", p => p!.ToUpperInvariant());

        var execution = await runner.RunAsync(wf, "abc");

        Dump(execution);
        Assert.That(execution.Result, Is.EqualTo("out:IN:ABC|ResourceNotFoundException"));
        Assert.That(execution.History.First(e => e.EventType == HistoryEventType.ChainedInvokeStarted).Details.Input!.Payload, Is.EqualTo("in:abc"));
    }

    [Test]
    public async Task Typed_plain_function()
    {
        var wf = Workflow.For<int>().Invoke<int>("double", "doubler").Build();
        using var runner = new DurableTestRunner();
        runner.RegisterFunction("doubler", (int n) => n * 2);

        var execution = await runner.RunAsync(wf, 21);

        Assert.That(execution.Result, Is.EqualTo(42));
    }

    [Test]
    public async Task Durable_target_waiting_on_its_own_callback_is_driven_on_the_same_clock()
    {
        var approval = Callback.Declare<string>("target_approval", c => c.Timeout(TimeSpan.FromSeconds(30)));
        var target = Workflow.For<string>().CreateCallback(approval).AwaitCallback(approval).Build();
        var parent = Workflow.For<string>()
            .Invoke<string>("call_target", "target")
            .Then("after", (s, _) => $"target said {s}")
            .Build();
        using var runner = new DurableTestRunner();
        runner.RegisterFunction("target", target);
        runner.RespondToCallback("target_approval", CallbackResponse.Succeed("\"yes\"").After(TimeSpan.FromSeconds(7)));
        var start = runner.Clock.GetUtcNow();

        var execution = await runner.RunAsync(parent, "x");

        Assert.That(execution.Result, Is.EqualTo("target said yes"));
        var succeeded = execution.History.Single(e => e.EventType == HistoryEventType.ChainedInvokeSucceeded);
        Assert.That(succeeded.EventTimestamp - start, Is.EqualTo(TimeSpan.FromSeconds(7)));
    }

    private sealed class Prefixing(string prefix) : Serialization.ISerDes<string>
    {
        public string? Serialize(string value, Serialization.SerDesContext context) => prefix + value;

        public string Deserialize(string? payload, Serialization.SerDesContext context) => prefix + payload;
    }
}
