using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Interpretation;

public class SmokeTests
{
    [Test]
    public async Task Steps_and_wait_run_to_completion_with_history()
    {
        var runs = 0;
        var wf = Workflow.For<string>()
            .Then("greet", (name, ctx) => { runs++; return $"Hello, {name}!"; })
            .Wait("pause", TimeSpan.FromSeconds(2))
            .Then("shout", (s, ctx) => s.ToUpperInvariant())
            .Build();
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(wf, "World");
        foreach (var e in ex.HistoryJson()) TestContext.Out.WriteLine(e.ToJsonString());
        Assert.That(ex.Status, Is.EqualTo(ExecutionStatus.Succeeded));
        Assert.That(ex.Result, Is.EqualTo("HELLO, WORLD!"));
        Assert.That(runs, Is.EqualTo(1));
        Assert.That(ex.Invocations, Is.EqualTo(2));
    }
}
