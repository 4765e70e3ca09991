namespace Durable.Fluent.Network;

/// <summary>The benchmark's workflows (the JS side writes the same ones with <c>@aws/durable-execution-sdk-js</c>).</summary>
internal static class Workflows
{
    private static WorkflowOptions Options(CheckpointMode mode) => new() { CheckpointMode = mode };

    /// <summary><paramref name="steps"/> sequential steps, each adding 1; the result is <paramref name="steps"/>.</summary>
    public static Workflow<int, long> Sequential(int steps, StepSemantics semantics, CheckpointMode mode)
    {
        var b = Workflow.For<int>().Then("step-0", (v, _) => (long)v + 1, s => s.WithSemantics(semantics));
        for (var i = 1; i < steps; i++)
        {
            b = b.Then($"step-{i}", (v, _) => v + 1, s => s.WithSemantics(semantics));
        }

        return b.Build(Options(mode));
    }

    /// <summary>A map over 0..items-1 whose item is a step returning 2x; the result is the sum.</summary>
    public static Workflow<int, long> StepMap(int items, int concurrency, CheckpointMode mode)
        => Workflow.For<int>()
            .Map("items", _ => Enumerable.Range(0, items), item => item.Then("double", (x, _) => (long)x * 2), m => m.MaxConcurrency(concurrency))
            .Select(r => r.Results.Sum())
            .Build(Options(mode));

    /// <summary><paramref name="pairs"/> × (wait 1 s, step adding 1); the result is <paramref name="pairs"/>.</summary>
    public static Workflow<int, long> WaitSteps(int pairs, CheckpointMode mode)
    {
        var b = Workflow.For<int>().Select(v => (long)v);
        for (var i = 0; i < pairs; i++)
        {
            b = b.Wait($"wait-{i}", TimeSpan.FromSeconds(1)).Then($"step-{i}", (v, _) => v + 1);
        }

        return b.Build(Options(mode));
    }
}
