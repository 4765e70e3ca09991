using BenchmarkDotNet.Running;

namespace Durable.Fluent.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release -- --filter '*'</c>, or <c>-- service-load</c> for the local service load (see bench/README.md).</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    /// <param name="args">BenchmarkDotNet arguments, or <c>service-load</c> and its options.</param>
    /// <returns>The exit code.</returns>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "service-load")
        {
            return ServiceLoad.ServiceLoadBench.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchConfig());
        return 0;
    }
}
