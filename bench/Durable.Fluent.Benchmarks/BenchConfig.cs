using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Durable.Fluent.Benchmarks;

/// <summary>
/// A short job that fits a 2-core machine: in-process (no per-benchmark project build), 1 launch, 3 warm-ups, 8 iterations,
/// plus per-operation columns for benchmarks that declare how many operations one invocation handles (parameter <c>Ops</c>).
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public BenchConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new PerOpColumn(time: true), new PerOpColumn(time: false));
        Options |= ConfigOptions.JoinSummary;
        SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithMaxParameterColumnWidth(30);
    }
}

/// <summary>Mean time or allocated bytes divided by the benchmark's <c>Ops</c> parameter.</summary>
internal sealed class PerOpColumn(bool time) : IColumn
{
    public string Id => time ? "PerOpTime" : "PerOpAlloc";

    public string ColumnName => time ? "Time/op" : "Alloc/op";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => time ? 0 : 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => time ? "Mean time divided by Ops (operations handled per invocation)" : "Allocated bytes divided by Ops";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var ops = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Ops")?.Value as int?;
        var report = summary[benchmarkCase];
        if (ops is not > 0 || report?.ResultStatistics is null)
        {
            return "-";
        }

        if (time)
        {
            return $"{report.ResultStatistics.Mean / ops.Value:N0} ns";
        }

        var bytes = report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
        return bytes is null ? "-" : $"{(double)bytes.Value / ops.Value:N0} B";
    }
}
