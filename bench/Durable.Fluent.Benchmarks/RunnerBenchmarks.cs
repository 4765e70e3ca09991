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

/// <summary>The local runner on the other peer-comparison shapes: wait+step pairs (one invocation per wait) and a map.</summary>
[MemoryDiagnoser]
public class RunnerShapesBenchmarks
{
    private Workflow<int, long> _waitSteps = null!;
    private Workflow<int, long> _map = null!;

    /// <summary>Builds the workflows once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var b = Workflow.For<int>().Select(v => (long)v);
        for (var i = 0; i < 100; i++)
        {
            b = b.Wait($"wait-{i}", TimeSpan.FromSeconds(1)).Then($"step-{i}", (v, _) => v + 1);
        }

        _waitSteps = b.Build();
        _map = Workflow.For<int>()
            .Map("items", n => Enumerable.Range(0, n), (x, i) => (long)(x * 2) + i, m => m.MaxConcurrency(10))
            .Select(r => r.Results.Sum())
            .Build();
    }

    /// <summary>100 wait+step pairs: 101 invocations, each replaying the log so far.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "local runner, 100 wait+step pairs")]
    public Task<long> WaitStepPairs() => Run(_waitSteps, 0);

    /// <summary>A map over 100 items, at most 10 in flight.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "local runner, map 100 items / concurrency 10")]
    public Task<long> Map() => Run(_map, 100);

    private static async Task<long> Run(Workflow<int, long> workflow, int input)
    {
        using var runner = new DurableTestRunner();
        var ex = await runner.RunAsync(workflow, input).ConfigureAwait(false);
        return ex.Status == ExecutionStatus.Succeeded ? ex.Result : throw new InvalidOperationException($"Unexpected status {ex.Status}.");
    }
}
