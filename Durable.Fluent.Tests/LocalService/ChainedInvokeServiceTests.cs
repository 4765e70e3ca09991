using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

public class ChainedInvokeServiceTests(bool invokeOverHttp) : BothCheckpointPaths(invokeOverHttp)
{
    private static readonly Workflow<string, string> Echo =
        Workflow.For<string>().Wait("echo_wait", TimeSpan.FromSeconds(1)).Then("echo", (s, _) => s.ToUpperInvariant()).Build();

    private static readonly Workflow<string, string> Failing =
        Workflow.For<string>().Then("fail", string (_, _) => throw new InvalidOperationException("target function error"), s => s.NoRetry()).Build();

    private static readonly Workflow<string, string> Caller =
        Workflow.For<string>()
            .Invoke<string>("call_echo", "echo:$LATEST")
            .Try(t => t.Invoke<string>("call_failing", "failing"), h => h.Catch<InvokeFailedException>((e, v) => $"{v}+caught:{e.Message}"))
            .Build();

    [Test]
    public async Task A_chained_invoke_runs_the_registered_target_as_its_own_execution_and_resumes_the_caller()
    {
        await using var h = NewHarness(register: s => s.Register("caller", Caller).Register("echo", Echo).Register("failing", Failing));
        var arn = h.Service.StartExecution("caller", "\"hello\"");
        string? childArn = null;
        for (var i = 0; i < 20; i++)
        {
            var state = await h.DriveAsync(arn);
            if (state.Status != ExecutionStatus.Running)
            {
                break;
            }

            // The caller waits on its targets: drive whichever child execution is still running.
            var children = h.Service.Engine.ListExecutions().Where(e => e.DurableExecutionName.StartsWith("invoke-", StringComparison.Ordinal) && e.Status == ExecutionStatus.Running).ToList();
            foreach (var child in children)
            {
                childArn ??= child.DurableExecutionArn;
                await h.DriveAsync(child.DurableExecutionArn);
            }
        }

        var execution = await h.Client.GetDurableExecutionAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo("\"HELLO+caught:target function error\""));
        var history = await h.Client.GetDurableExecutionHistoryAsync(arn);
        var started = history.Events.First(e => e.EventType == HistoryEventType.ChainedInvokeStarted);
        Assert.That(started.Details.DurableExecutionArn, Is.EqualTo(childArn));
        Assert.That(started.Details.ExecutedVersion, Is.EqualTo("$LATEST"));
        Assert.That(history.Events.Select(e => e.EventType), Does.Contain(HistoryEventType.ChainedInvokeSucceeded).And.Contain(HistoryEventType.ChainedInvokeFailed));
    }

    [Test]
    public async Task Invoking_an_unregistered_function_fails_the_operation_with_a_clear_error()
    {
        var caller = Workflow.For<string>().Invoke<string>("call_missing", "missing-function").Build();
        await using var h = NewHarness(register: s => s.Register("caller", caller));
        var arn = h.Service.StartExecution("caller", "\"x\"");
        var execution = await h.DriveAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(execution.Error!.ErrorMessage, Does.Contain("missing-function"));
    }
}

/// <summary>The Lambda-path cost figure over real HTTP: CheckpointDurableExecution requests per step against the local service.</summary>
public class HttpCheckpointCostTests
{
    private static Workflow<int, int> Steps(int count, bool atMostOnce)
    {
        var b = Workflow.For<int>().Then("step-0", (v, _) => v + 1, s => s.WithSemantics(atMostOnce ? StepSemantics.AtMostOncePerRetry : StepSemantics.AtLeastOncePerRetry));
        for (var i = 1; i < count; i++)
        {
            b = b.Then($"step-{i}", (v, _) => v + 1, s => s.WithSemantics(atMostOnce ? StepSemantics.AtMostOncePerRetry : StepSemantics.AtLeastOncePerRetry));
        }

        return b.Build();
    }

    // At-least-once: a step's START with its own SUCCEED, one request per step. At-most-once: the START must be acknowledged
    // before the body runs, and the previous step's SUCCEED rides with it; the last SUCCEED goes with the final flush.
    [TestCase(false, 20)]
    [TestCase(true, 21)]
    public async Task Checkpoint_requests_per_step_over_http(bool atMostOnce, int expected)
    {
        const int count = 20;
        await using var h = new ServiceHarness(register: s => s.Register("steps", Steps(count, atMostOnce)), invokeOverHttp: true);
        var arn = h.Service.StartExecution("steps", "0");
        var execution = await h.DriveAsync(arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(execution.Result, Is.EqualTo(count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(h.Service.CheckpointRequests, Is.EqualTo(expected));
    }
}
