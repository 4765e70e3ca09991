using System.Globalization;

namespace Durable.Fluent.Benchmarks.ServiceLoad;

/// <summary>Prints the figures as Markdown tables and one line per target: <c>met</c> or <c>not met</c> with the measured value.</summary>
internal static class Report
{
    /// <summary>Managed memory left per 1,000 executions once they are past retention that still counts as flat.</summary>
    public const double FlatBytesPer1000 = 32 * 1024;

    public static void Print(IReadOnlyList<ServiceLoadBench.LoadResult> loads, IReadOnlyList<ServiceLoadBench.LatencyResult> latencies, ServiceLoadBench.Options o)
    {
        var targets = new List<(string Name, bool Met, string Value)>();
        if (loads.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine(I($"## Load: 3-step workflow, Lambda Invoke over HTTP (RequestResponse), {o.Clients} clients, {o.Executions:N0} executions"));
            Console.WriteLine();
            Console.WriteLine("| Store | Executions/s | p50 (ms) | p99 (ms) | CPU per execution (ms, all threads) | Allocated per execution | SQLite transactions per execution | Written to disk per execution | Managed memory per 1,000 executions | Per 1,000 after retention | Compiling during the run (ms) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var l in loads)
            {
                Console.WriteLine(I($"| {l.Store} | {l.PerSecond:N0} | {l.P50:F2} | {l.P99:F2} | {l.CpuMsPerExecution:F3} | {Kib(l.AllocatedPerExecution)} | {(l.TransactionsPerExecution is { } t ? t.ToString("F2", CultureInfo.InvariantCulture) : "-")} | {(l.DiskBytesPerExecution is { } d ? Kib(d) : "n/a")} | {Kib(l.BytesPer1000)} | {(l.BytesPer1000AfterRetention is { } a ? Kib(a) : "no retention")} | {l.JitMs:N0} |"));
            }

            Console.WriteLine();
            Console.WriteLine("memory / sqlite: the service's defaults (the workflow checkpoints in-process; SQLite synced at every commit); -http: InvokeOverHttp = true (the workflow checkpoints over HTTP, as a deployed function does: what the loopback round trips cost); sqlite-nosync: SyncEachCommit = false (kill -9 safe, not power-loss safe). Transactions: SQLite group commits per execution (6 saves each). Written to disk: /proc/self/io write_bytes (the SQLite file and its log).");
            Console.WriteLine(I($"CPU per execution is the process's CPU time (service and clients) over the measured run: with {Environment.ProcessorCount} idle cores the throughput ceiling is about {Environment.ProcessorCount} × 1000 / CPU-ms executions/s."));

            foreach (var l in loads.Where(l => !l.Store.EndsWith("-http", StringComparison.Ordinal))) // the targets are for the defaults
            {
                var goal = l.Store == "memory" ? 2000 : 1000;
                targets.Add((I($"{l.Store}: ≥ {goal:N0} executions/s"), l.PerSecond >= goal, I($"{l.PerSecond:N0}/s")));
            }

            foreach (var l in loads)
            {
                targets.Add((
                    I($"{l.Store}: managed memory flat after retention (≤ {Kib(FlatBytesPer1000)} per 1,000 executions left)"),
                    l.BytesPer1000AfterRetention is { } a && a <= FlatBytesPer1000,
                    l.BytesPer1000AfterRetention is { } b ? Kib(b) + " per 1,000" : "no retention"));
            }
        }

        if (latencies.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine(I($"## SQLite store: start and save latency by stored executions ({o.Samples:N0} samples each, in-process engine calls)"));
            Console.WriteLine();
            Console.WriteLine("| Stored | Start p50 (ms) | Start p99 (ms) | Save p50 (ms) | Save p99 (ms) | Open (ms) | Managed memory after open |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var l in latencies)
            {
                Console.WriteLine(I($"| {l.Stored:N0} | {l.StartP50:F3} | {l.StartP99:F3} | {l.SaveP50:F3} | {l.SaveP99:F3} | {l.OpenMs:N0} | {Mib(l.OpenBytes)} |"));
            }

            var empty = latencies.FirstOrDefault(l => l.Stored == 0);
            var full = latencies.OrderByDescending(l => l.Stored).FirstOrDefault(l => l.Stored > 0);
            if (empty is not null && full is not null)
            {
                var startRatio = full.StartP50 / empty.StartP50;
                var saveRatio = full.SaveP50 / empty.SaveP50;
                targets.Add((I($"start latency at {full.Stored:N0} stored within 1.5x of empty (p50)"), startRatio <= 1.5, I($"{startRatio:F2}x ({full.StartP50:F3} vs {empty.StartP50:F3} ms)")));
                targets.Add((I($"save latency at {full.Stored:N0} stored within 1.5x of empty (p50)"), saveRatio <= 1.5, I($"{saveRatio:F2}x ({full.SaveP50:F3} vs {empty.SaveP50:F3} ms)")));
            }
        }

        Console.WriteLine();
        Console.WriteLine("## Targets");
        Console.WriteLine();
        foreach (var (name, met, value) in targets)
        {
            Console.WriteLine($"target {(met ? "met" : "not met")}: {name}: {value}");
        }
    }

    private static string Kib(double bytes) => I($"{bytes / 1024:N1} KiB");

    private static string Mib(double bytes) => I($"{bytes / (1024 * 1024):N1} MiB");

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
