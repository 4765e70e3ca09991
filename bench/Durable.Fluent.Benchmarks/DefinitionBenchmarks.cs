using Durable.Fluent.Retries;
using BenchmarkDotNet.Attributes;

namespace Durable.Fluent.Benchmarks;

/// <summary>Building (and validating) a definition of <see cref="Ops"/> nodes: steps, waits and pure selects.</summary>
[MemoryDiagnoser]
public class DefinitionBenchmarks
{
    /// <summary>Nodes in the definition.</summary>
    [Params(50)]
    public int Ops { get; set; }

    /// <summary>Builds the definition.</summary>
    /// <returns>The workflow.</returns>
    [Benchmark(Description = "build definition")]
    public Workflow<int, int> Build()
    {
        var b = Workflow.For<int>().Then("step-0", (v, _) => v + 1);
        for (var i = 1; i < Ops; i++)
        {
            b = (i % 10) switch
            {
                3 => b.Wait($"wait-{i}", TimeSpan.FromSeconds(5)),
                7 => b.Select(v => v * 2),
                _ => b.Then($"step-{i}", (v, _) => v + 1, s => s.Retry(RetryPresets.Transient)),
            };
        }

        return b.Build();
    }
}
