// The network-shaped benchmark (bench/network.sh): the local durable service behind a latency-injecting HTTP proxy, the same
// four workflows run by Durable.Fluent in synchronous and pipelined checkpoint mode and by the official JS SDK (hosted by
// tools/js-host/host.mjs, registered by URL) at each round-trip time; prints wall time, checkpoint requests and bytes per
// case, then one line per target of issue 15 saying met or not met with the measured figure.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Durable.Fluent;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService;
using Durable.Fluent.Network;
using Durable.Fluent.Wire;

var rtts = (Arg("--rtt") ?? "0,5,20").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var runs = int.Parse(Arg("--runs") ?? "3", CultureInfo.InvariantCulture);
var clockFactor = double.Parse(Arg("--clock") ?? "100", CultureInfo.InvariantCulture);
var jsHostScript = Arg("--js-host");
var jsWorkflows = Arg("--js-workflows");

var clock = new ScaledClock(clockFactor);

// Function timeouts run on the service's (scaled) clock: a day of service time is ~15 real minutes at x100.
await using var service = new LocalDurableService(new LocalDurableServiceOptions { TimeProvider = clock, FunctionTimeout = TimeSpan.FromDays(1) }).Start();
await using var proxy = await LatencyProxy.StartAsync(service.Endpoint);
using var viaProxy = new LambdaDurableExecutionClient(new LambdaDurableClientOptions { Endpoint = proxy.Endpoint, AllowUnsignedLoopback = true, Region = "us-east-1" });
using var direct = service.CreateClient();
var runOptions = new DurableRunOptions { TimeProvider = clock };

var cases = new[]
{
    new Case("seq-alo", "100 sequential at-least-once steps", mode => Workflows.Sequential(100, StepSemantics.AtLeastOncePerRetry, mode), "100", "js_seq_alo"),
    new Case("seq-amo", "100 sequential at-most-once steps", mode => Workflows.Sequential(100, StepSemantics.AtMostOncePerRetry, mode), "100", "js_seq_amo"),
    new Case("map-c10", "map of 100 step items, concurrency 10", mode => Workflows.StepMap(100, 10, mode), "9900", "js_map_c10"),
    new Case("wait-step", "20 wait(1 s)+step pairs", mode => Workflows.WaitSteps(20, mode), "20", "js_wait_step"),
};
var ours = new[] { new Column("sync", "ours sync", CheckpointMode.Synchronous), new Column("pipe", "ours pipelined", CheckpointMode.Pipelined) };
var js = new Column("js", "JS SDK", null);

// Our checkpoint requests and payload bytes as the library's own telemetry counts them (durable.checkpoint.requests,
// durable.checkpoint.payload_bytes): a cross-check of the proxy's request count for our columns.
long telemetryRequests = 0, telemetryPayloadBytes = 0;
using var listener = new MeterListener();
listener.InstrumentPublished = (instrument, l) =>
{
    if (instrument.Meter.Name == "Durable.Fluent" && instrument.Name is "durable.checkpoint.requests" or "durable.checkpoint.payload_bytes")
    {
        l.EnableMeasurementEvents(instrument);
    }
};
listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
{
    if (instrument.Name == "durable.checkpoint.requests")
    {
        Interlocked.Add(ref telemetryRequests, value);
    }
    else
    {
        Interlocked.Add(ref telemetryPayloadBytes, value);
    }
});
listener.Start();

// The JS SDK column: the same four workflows (bench/peer/network-workflows.mjs) in a node process (tools/js-host/host.mjs)
// whose SDK checkpoints through the proxy; the service invokes it by URL through a second proxy with the same RTT, so the
// service-to-function hop costs both SDKs the same.
using var jsHost = jsHostScript is null || jsWorkflows is null ? null : JsHost.Start(jsHostScript, jsWorkflows, proxy.Endpoint);
await using var jsProxy = jsHost is null ? null : await LatencyProxy.StartAsync(jsHost.BaseUrl);
var columns = jsHost is null ? ours : [.. ours, js];

// Every (case, column) is a function registered with the service; each invocation first pays one RTT (the service-to-function
// hop), then checkpoints through the proxy.
foreach (var c in cases)
{
    if (jsProxy is not null)
    {
        service.RegisterUrl($"{c.Id}-{js.Id}", new Uri(jsProxy.Endpoint, $"2015-03-31/functions/{c.JsExport}/invocations"));
    }

    foreach (var col in ours)
    {
        var workflow = c.Build(col.Mode!.Value);
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
    if (jsProxy is not null)
    {
        jsProxy.RoundTrip = proxy.RoundTrip;
    }

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
Console.WriteLine($"Checkpoint round trips on a simulated network: local durable service behind a latency proxy (+RTT per request, incl. the service-to-function invocation); service clock x{clockFactor}; median of {runs} runs; KB = CheckpointDurableExecution request + response bodies");
Console.WriteLine();
Console.WriteLine("| RTT | Case | ours sync: ms | req | KB | ours pipelined: ms | req | KB | JS SDK: ms | req | KB |");
Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var rtt in rtts)
{
    foreach (var c in cases)
    {
        var s = results[(rtt, c.Id, "sync")];
        var p = results[(rtt, c.Id, "pipe")];
        var j = results.TryGetValue((rtt, c.Id, js.Id), out var jm) ? FormattableString.Invariant($"{jm.WallMs:F0} | {jm.Requests} | {jm.Bytes / 1024.0:F1}") : "- | - | -";
        Console.WriteLine(FormattableString.Invariant($"| {rtt} ms | {c.Label} | {s.WallMs:F0} | {s.Requests} | {s.Bytes / 1024.0:F1} | {p.WallMs:F0} | {p.Requests} | {p.Bytes / 1024.0:F1} | {j} |"));
    }
}

Console.WriteLine();
Console.WriteLine(jsHost is null
    ? "JS SDK column: not run (pass --js-host tools/js-host/host.mjs --js-workflows bench/peer/network-workflows.mjs; bench/network.sh does)."
    : "JS SDK column: @aws/durable-execution-sdk-js (bench/peer/package.json) in tools/js-host/host.mjs, registered by URL; same service, same proxy.");
Console.WriteLine();
var top = rtts.Contains(20) ? 20 : rtts.Max();
var seqSync = results[(top, "seq-alo", "sync")];
var seqPipe = results[(top, "seq-alo", "pipe")];
var mapSync = results[(top, "map-c10", "sync")];
var mapPipe = results[(top, "map-c10", "pipe")];
var share = seqPipe.WallMs / seqSync.WallMs * 100;
Target($"100 sequential at-least-once steps, pipelined, {top} ms RTT: <= 10 checkpoint requests", seqPipe.Requests <= 10, $"{seqPipe.Requests} requests");
Target($"100 sequential at-least-once steps, pipelined, {top} ms RTT: <= 15 % of the sync mode's wall time", share <= 15, FormattableString.Invariant($"{share:F1} % ({seqPipe.WallMs:F0} ms vs {seqSync.WallMs:F0} ms)"));
if (results.TryGetValue((top, "seq-alo", js.Id), out var seqJs))
{
    Target($"100 sequential at-least-once steps, sync, {top} ms RTT: no slower than the JS SDK on the same service", seqSync.WallMs <= seqJs.WallMs, FormattableString.Invariant($"ours {seqSync.WallMs:F0} ms, {seqSync.Requests} requests vs JS SDK {seqJs.WallMs:F0} ms, {seqJs.Requests} requests"));
}
else
{
    Target($"100 sequential at-least-once steps, sync, {top} ms RTT: no slower than the JS SDK on the same service", false, $"JS SDK column not run; ours {seqSync.WallMs:F0} ms");
}

Target($"map of 100 step items at concurrency 10, sync, {top} ms RTT: <= 25 requests", mapSync.Requests <= 25, $"{mapSync.Requests} requests");
Target($"map of 100 step items at concurrency 10, pipelined, {top} ms RTT: <= 15 requests", mapPipe.Requests <= 15, $"{mapPipe.Requests} requests");

async Task<Measure> RunOnceAsync(Case c, Column col)
{
    proxy.Reset();
    Interlocked.Exchange(ref telemetryRequests, 0);
    Interlocked.Exchange(ref telemetryPayloadBytes, 0);
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

    if (col.Mode is not null && Interlocked.Read(ref telemetryRequests) != requests)
    {
        Console.Error.WriteLine($"  WARNING {c.Id} ({col.Label}): the proxy saw {requests} checkpoint requests, Durable.Fluent's durable.checkpoint.requests counted {Interlocked.Read(ref telemetryRequests)}.");
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

internal sealed record Case(string Id, string Label, Func<CheckpointMode, Workflow<int, long>> Build, string Expected, string JsExport);

/// <summary>A column of the table: Durable.Fluent in a checkpoint mode, or (no mode) the JS SDK.</summary>
internal sealed record Column(string Id, string Label, CheckpointMode? Mode);

internal sealed record Measure(double WallMs, long Requests, long Bytes);
