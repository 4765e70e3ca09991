using BenchmarkDotNet.Attributes;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Benchmarks;

/// <summary>The local test runner end to end (engine, checkpoints, history) on a workflow of <see cref="Ops"/> sequential steps.</summary>
[MemoryDiagnoser]
public class RunnerBenchmarks
{
    private Workflow<int, int> _workflow = null!;

    /// <summary>Steps in the workflow.</summary>
    [Params(1000)]
    public int Ops { get; set; }

    /// <summary>Builds the workflow once.</summary>
    [GlobalSetup]
    public void Setup() => _workflow = Workflows.Sequential(Ops);

    /// <summary>Runs one execution to completion in a fresh runner.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "local runner, sequential steps")]
    public async Task<int> RunSequential()
    {
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(_workflow, 0).ConfigureAwait(false);
        if (ex.Status != ExecutionStatus.Succeeded)
        {
            throw new InvalidOperationException($"Unexpected status {ex.Status}.");
        }

        return ex.Result;
    }
}
