// The network-shaped benchmark (bench/network.sh): the local durable service behind a latency-injecting HTTP proxy, the same
// four workflows run by Durable.Fluent in synchronous and pipelined checkpoint mode (and by the official JS SDK when its
// column is available) at each round-trip time; prints wall time, checkpoint requests and bytes per case, then one line per
// target of issue 15 saying met or not met with the measured figure.
using System.Diagnostics;
using System.Globalization;
using Durable.Fluent;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService;
using Durable.Fluent.Network;
using Durable.Fluent.Wire;

var rtts = (Arg("--rtt") ?? "0,5,20").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var runs = int.Parse(Arg("--runs") ?? "3", CultureInfo.InvariantCulture);
var clockFactor = double.Parse(Arg("--clock") ?? "100", CultureInfo.InvariantCulture);
var jsNote = Arg("--js-note") ?? "not run";

var clock = new ScaledClock(clockFactor);
await using var service = new LocalDurableService(new LocalDurableServiceOptions { TimeProvider = clock }).Start();
await using var proxy = await LatencyProxy.StartAsync(service.Endpoint);
using var viaProxy = new LambdaDurableExecutionClient(new LambdaDurableClientOptions { Endpoint = proxy.Endpoint, AllowUnsignedLoopback = true, Region = "us-east-1" });
using var direct = service.CreateClient();
var runOptions = new DurableRunOptions { TimeProvider = clock };

var cases = new[]
{
    new Case("seq-alo", "100 sequential at-least-once steps", mode => Workflows.Sequential(100, StepSemantics.AtLeastOncePerRetry, mode), "100"),
    new Case("seq-amo", "100 sequential at-most-once steps", mode => Workflows.Sequential(100, StepSemantics.AtMostOncePerRetry, mode), "100"),
    new Case("map-c10", "map of 100 step items, concurrency 10", mode => Workflows.StepMap(100, 10, mode), "9900"),
    new Case("wait-step", "20 wait(1 s)+step pairs", mode => Workflows.WaitSteps(20, mode), "20"),
};
var columns = new[] { new Column("sync", "ours sync", CheckpointMode.Synchronous), new Column("pipe", "ours pipelined", CheckpointMode.Pipelined) };

// Every (case, column) is a function registered with the service; each invocation first pays one RTT (the service-to-function
// hop), then checkpoints through the proxy.
foreach (var c in cases)
{
    foreach (var col in columns)
    {
        var workflow = c.Build(col.Mode);
        service.Register($"{c.Id}-{col.Id}", async (input, _, ct) =>
        {
            if (proxy.RoundTrip > TimeSpan.Zero)
            {
                await Task.Delay(proxy.RoundTrip, ct).ConfigureAwait(false);
            }

            return await workflow.HandleAsync(input, viaProxy, runOptions, ct).ConfigureAwait(false);
        });
    }
}

Console.Error.WriteLine($"==> local service {service.Endpoint} behind proxy {proxy.Endpoint}; service clock x{clockFactor} (a 1 s wait takes {1000 / clockFactor:0.#} ms); {runs} runs per cell");
Console.Error.WriteLine("==> warm-up (RTT 0)");
foreach (var c in cases)
{
    foreach (var col in columns)
    {
        _ = await RunOnceAsync(c, col);
    }
}

var results = new Dictionary<(int Rtt, string Case, string Column), Measure>();
foreach (var rtt in rtts)
{
    proxy.RoundTrip = TimeSpan.FromMilliseconds(rtt);
    foreach (var c in cases)
    {
        foreach (var col in columns)
        {
            var samples = new List<Measure>();
            for (var r = 0; r < runs; r++)
            {
                samples.Add(await RunOnceAsync(c, col));
            }

            var median = samples.OrderBy(s => s.WallMs).ElementAt(samples.Count / 2);
            results[(rtt, c.Id, col.Id)] = median;
            Console.Error.WriteLine(FormattableString.Invariant($"  rtt {rtt,2} ms  {c.Id,-9} {col.Id,-4}  {median.WallMs,8:F1} ms  {median.Requests,4} req  {median.Bytes,8} B  (walls: {string.Join(", ", samples.Select(s => s.WallMs.ToString("F1", CultureInfo.InvariantCulture)))})"));
        }
    }
}

Console.WriteLine();
Console.WriteLine($"Checkpoint round trips on a simulated network: local durable service behind a latency proxy (+RTT per request, incl. the service-to-function invocation); service clock x{clockFactor}; median of {runs} runs");
Console.WriteLine();
Console.WriteLine("| RTT | Case | ours sync: ms | req | KB | ours pipelined: ms | req | KB | JS SDK: ms | req | KB |");
Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var rtt in rtts)
{
    foreach (var c in cases)
    {
        var s = results[(rtt, c.Id, "sync")];
        var p = results[(rtt, c.Id, "pipe")];
        Console.WriteLine(FormattableString.Invariant($"| {rtt} ms | {c.Label} | {s.WallMs:F0} | {s.Requests} | {s.Bytes / 1024.0:F1} | {p.WallMs:F0} | {p.Requests} | {p.Bytes / 1024.0:F1} | - | - | - |"));
    }
}

Console.WriteLine();
Console.WriteLine($"JS SDK column: {jsNote}.");
Console.WriteLine();
var top = rtts.Contains(20) ? 20 : rtts.Max();
var seqSync = results[(top, "seq-alo", "sync")];
var seqPipe = results[(top, "seq-alo", "pipe")];
var mapSync = results[(top, "map-c10", "sync")];
var mapPipe = results[(top, "map-c10", "pipe")];
var share = seqPipe.WallMs / seqSync.WallMs * 100;
Target($"100 sequential at-least-once steps, pipelined, {top} ms RTT: <= 10 checkpoint requests", seqPipe.Requests <= 10, $"{seqPipe.Requests} requests");
Target($"100 sequential at-least-once steps, pipelined, {top} ms RTT: <= 15 % of the sync mode's wall time", share <= 15, FormattableString.Invariant($"{share:F1} % ({seqPipe.WallMs:F0} ms vs {seqSync.WallMs:F0} ms)"));
Target($"100 sequential at-least-once steps, sync, {top} ms RTT: no slower than the JS SDK on the same service", false, $"no JS figure ({jsNote}); ours {seqSync.WallMs:F0} ms");
Target($"map of 100 step items at concurrency 10, sync, {top} ms RTT: <= 25 requests", mapSync.Requests <= 25, $"{mapSync.Requests} requests");
Target($"map of 100 step items at concurrency 10, pipelined, {top} ms RTT: <= 15 requests", mapPipe.Requests <= 15, $"{mapPipe.Requests} requests");

async Task<Measure> RunOnceAsync(Case c, Column col)
{
    proxy.Reset();
    var sw = Stopwatch.StartNew();
    var arn = service.StartExecution($"{c.Id}-{col.Id}", "0");
    var execution = await WaitForEndAsync(arn);
    sw.Stop();
    var requests = proxy.CheckpointRequests;
    var bytes = proxy.CheckpointBytes;
    if (execution.Status != ExecutionStatus.Succeeded || execution.Result != c.Expected)
    {
        throw new InvalidOperationException($"{c.Id} ({col.Label}) ended {execution.Status} with result {execution.Result ?? "(none)"}: {execution.Error?.ErrorMessage}; expected {c.Expected}.");
    }

    return new Measure(sw.Elapsed.TotalMilliseconds, requests, bytes);
}

async Task<GetDurableExecutionResponse> WaitForEndAsync(string arn)
{
    while (true)
    {
        await service.WaitForIdleAsync(arn);
        var execution = await direct.GetDurableExecutionAsync(arn);
        if (execution.Status != ExecutionStatus.Running)
        {
            return execution;
        }

        await Task.Delay(1);
    }
}

static void Target(string what, bool met, string figure) => Console.WriteLine($"target: {what}: {(met ? "met" : "NOT met")} ({figure})");

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal sealed record Case(string Id, string Label, Func<CheckpointMode, Workflow<int, long>> Build, string Expected);

internal sealed record Column(string Id, string Label, CheckpointMode Mode);

internal sealed record Measure(double WallMs, long Requests, long Bytes);
