// The Durable.Fluent side of the peer comparison (bench/compare.sh): the same four workflows as bench/peer/cases.mjs, each
// run in a fresh DurableTestRunner (virtual clock, local engine) several times; prints the table of medians against the
// JS results file and ends with "min speedup vs peer: <N>x".
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Durable.Fluent;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

var peerFile = Arg("--peer");
var runs = int.Parse(Arg("--runs") ?? "21", CultureInfo.InvariantCulture);
var warmup = int.Parse(Arg("--warmup") ?? "3", CultureInfo.InvariantCulture);

var cases = new (string Name, string Label, Func<Task<long>> Run, long Expected)[]
{
    ("steps-1000", "1,000 sequential steps", RunCase(Sequential(1000), 0), 1000),
    ("wait-step-100", "100 wait+step pairs", RunCase(WaitStepPairs(100), 0), 100),
    ("map-100-c10", "map 100 items, concurrency 10", RunCase(Map(), 100), 3 * 99 * 100 / 2),
    ("steps-3000", "3,000 sequential steps", RunCase(Sequential(3000), 0), 3000),
};

var ours = new Dictionary<string, (double Median, int Runs)>();
foreach (var c in cases)
{
    var times = new List<double>();
    // Warm-up, not counted: at least `warmup` runs and at least 2 s, so tiered compilation has promoted the hot paths
    // (on a loaded 2-core machine the background tier-1 JIT needs that long).
    var warm = Stopwatch.StartNew();
    for (var w = 0; w < warmup || warm.ElapsedMilliseconds < 2000; w++)
    {
        _ = await c.Run();
    }

    for (var r = 0; r < runs; r++)
    {
        var sw = Stopwatch.StartNew();
        var result = await c.Run();
        sw.Stop();
        if (result != c.Expected)
        {
            throw new InvalidOperationException($"{c.Name}: expected {c.Expected}, got {result}");
        }

        times.Add(sw.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    ours[c.Name] = (times[times.Count / 2], runs);
    Console.Error.WriteLine($"  dotnet {c.Name}: median {times[times.Count / 2]:F3} ms over {runs} runs (min {times[0]:F3}, max {times[^1]:F3})");
}

Dictionary<string, (double Median, int Runs)>? peer = null;
string? peerName = null;
if (peerFile is not null)
{
    using var doc = JsonDocument.Parse(File.ReadAllText(peerFile));
    peerName = doc.RootElement.GetProperty("peer").GetString() + " on Node " + doc.RootElement.GetProperty("node").GetString();
    peer = new();
    foreach (var p in doc.RootElement.GetProperty("results").EnumerateObject())
    {
        peer[p.Name] = (p.Value.GetProperty("medianMs").GetDouble(), p.Value.GetProperty("runs").GetInt32());
    }
}

Console.WriteLine();
Console.WriteLine($"Durable.Fluent local runner (.NET {Environment.Version}, Release) vs {peerName ?? "(no peer results)"}; medians in ms");
Console.WriteLine();
Console.WriteLine("| Case | Durable.Fluent (ms) | runs | JS SDK (ms) | runs | Speed-up |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
var min = double.PositiveInfinity;
foreach (var c in cases)
{
    var (m, n) = ours[c.Name];
    if (peer is not null && peer.TryGetValue(c.Name, out var js))
    {
        var speedup = js.Median / m;
        min = Math.Min(min, speedup);
        Console.WriteLine(FormattableString.Invariant($"| {c.Label} | {m:F3} | {n} | {js.Median:F0} | {js.Runs} | {speedup:N0}x |"));
    }
    else
    {
        Console.WriteLine(FormattableString.Invariant($"| {c.Label} | {m:F3} | {n} | - | - | - |"));
    }
}

Console.WriteLine();
if (double.IsFinite(min))
{
    Console.WriteLine(FormattableString.Invariant($"min speedup vs peer: {Math.Floor(min):F0}x"));
}
else
{
    Console.WriteLine("min speedup vs peer: n/a (no peer results)");
}

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static Func<Task<long>> RunCase(Workflow<int, long> workflow, int input) => async () =>
{
    using var runner = new DurableTestRunner();
    var ex = await runner.RunAsync(workflow, input).ConfigureAwait(false);
    if (ex.Status != ExecutionStatus.Succeeded)
    {
        throw new InvalidOperationException($"Execution ended {ex.Status}: {ex.Error?.ErrorMessage}");
    }

    return ex.Result;
};

static Workflow<int, long> Sequential(int steps)
{
    var b = Workflow.For<int>().Then("step-0", (v, _) => (long)v + 1);
    for (var i = 1; i < steps; i++)
    {
        b = b.Then($"step-{i}", (v, _) => v + 1);
    }

    return b.Build();
}

static Workflow<int, long> WaitStepPairs(int pairs)
{
    var b = Workflow.For<int>().Select(v => (long)v);
    for (var i = 0; i < pairs; i++)
    {
        b = b.Wait($"wait-{i}", TimeSpan.FromSeconds(1)).Then($"step-{i}", (v, _) => v + 1);
    }

    return b.Build();
}

static Workflow<int, long> Map()
    => Workflow.For<int>()
        .Map("items", n => Enumerable.Range(0, n), (x, i) => (long)(x * 2) + i, m => m.MaxConcurrency(10))
        .Select(r => r.Results.Sum())
        .Build();
