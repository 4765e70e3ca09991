using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Benchmarks.ServiceLoad;

/// <summary>
/// The local durable service under load (<c>bench/service-load.sh</c>; not a BenchmarkDotNet class: it measures a whole
/// service). Two parts:
/// <list type="number">
/// <item>Load: a 3-step workflow started over HTTP with Lambda Invoke (RequestResponse: the answer is the execution's
/// result) by N concurrent clients, M executions; throughput, p50/p99 latency per execution and managed memory per
/// 1,000 executions, in memory and on SQLite; then the clock is moved past the retention period and the managed memory
/// is measured again.</item>
/// <item>Store: start and save latency with 0, 10,000 and 100,000 finished executions stored; the stores are filled by
/// copying the rows of one real execution in SQL (one transaction), then opened by a new service, so the service sees
/// what a restarted service sees. Also the time and managed memory of that open (the restart cost).</item>
/// </list>
/// </summary>
internal static class ServiceLoadBench
{
    private const string Function = "bench3";

    public static async Task<int> RunAsync(string[] args)
    {
        var o = Options.Parse(args);
        Console.WriteLine(FormattableString.Invariant($"# Local durable service load ({Environment.ProcessorCount} cores, .NET {Environment.Version}, {(GCSettings() ? "server" : "workstation")} GC)"));
        Console.WriteLine(FormattableString.Invariant($"load average at start: {LoadAverage()}"));
        var loads = new List<LoadResult>();
        if (!o.SkipLoad)
        {
            // The process warms up once on every configuration before any is measured: in one process the first
            // configuration measured otherwise ran ~30 % slower than the same configuration measured after it (tiered
            // compilation and the thread pool still settling), so the table's order decided its figures.
            foreach (var store in o.Stores.Distinct())
            {
                await LoadAsync(store, o, measure: false).ConfigureAwait(false);
            }

            foreach (var store in o.Stores)
            {
                loads.Add((await LoadAsync(store, o).ConfigureAwait(false))!);
            }
        }

        var latencies = new List<LatencyResult>();
        if (!o.SkipLatency)
        {
            latencies.AddRange(await LatenciesAsync(o.Stored, o).ConfigureAwait(false));
        }

        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"load average at end: {LoadAverage()}"));
        Report.Print(loads, latencies, o);
        return 0;
    }

    /// <summary>The benchmark workflow: three steps, each adding one.</summary>
    internal static Workflow<int, int> ThreeSteps() => Workflow.For<int>()
        .Then("reserve", (v, _) => v + 1)
        .Then("charge", (v, _) => v + 1)
        .Then("ship", (v, _) => v + 1)
        .Build();

    private static async Task<LoadResult?> LoadAsync(string store, Options o, bool measure = true)
    {
        Console.Error.WriteLine(measure
            ? $"==> load: {store}, {o.Executions:N0} executions, {o.Clients} clients (+{o.Warmup} warm-up)"
            : $"==> process warm-up: {store}, {o.Warmup:N0} executions, {o.Clients} clients");
        using var dir = new TempDir();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var service = new LocalDurableService(new LocalDurableServiceOptions
        {
            DatabasePath = store.StartsWith("sqlite", StringComparison.Ordinal) ? Path.Combine(dir.Path, "load.db") : null,
            SyncEachCommit = !store.Contains("-nosync", StringComparison.Ordinal),
            InvokeOverHttp = store.EndsWith("-http", StringComparison.Ordinal),
            TimeProvider = clock,
        });
        await using (service.ConfigureAwait(false))
        {
            service.Register(Function, ThreeSteps()).Start();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = o.Clients * 2 }) { BaseAddress = service.Endpoint };
            await RunClientsAsync(http, "warm", o.Warmup, o.Clients).ConfigureAwait(false);
            if (!measure)
            {
                return null;
            }

            await SettleAsync(http, o).ConfigureAwait(false);
            if (Retention.TryPurge(service, clock) is { } warmPurged)
            {
                // The warm-up's executions go before the baseline, so the retention figure is about the measured ones.
                await warmPurged.ConfigureAwait(false);
            }

            var jit = CompilingTime();

            var baseline = ManagedBytes();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var transactions = service.SqliteStore?.Batches;
            var diskBytes = DiskBytesWritten();
            var sw = Stopwatch.StartNew();
            var latencies = await RunClientsAsync(http, "load", o.Executions, o.Clients).ConfigureAwait(false);
            sw.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            jit = CompilingTime() - jit;
            diskBytes = DiskBytesWritten() - diskBytes;
            transactions = service.SqliteStore?.Batches - transactions;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            var loaded = ManagedBytes();
            long? afterRetention = null;
            if (Retention.TryPurge(service, clock) is { } purged)
            {
                await purged.ConfigureAwait(false);
                afterRetention = ManagedBytes();
            }

            Array.Sort(latencies);
            return new LoadResult(
                store,
                o.Executions / sw.Elapsed.TotalSeconds,
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.99),
                (loaded - baseline) / (o.Executions / 1000.0),
                afterRetention is { } a ? (a - baseline) / (o.Executions / 1000.0) : null,
                cpu.TotalMilliseconds / o.Executions,
                (double)allocated / o.Executions,
                baseline,
                loaded,
                afterRetention,
                transactions is { } t ? (double)t / o.Executions : null,
                diskBytes is { } d ? (double)d / o.Executions : null,
                jit.TotalMilliseconds);
        }
    }

    /// <summary>
    /// Goes on warming up, in rounds of at least 1 s and 1,000 executions, until the JIT is done: two rounds in a row in
    /// which the runtime's compiling — the JIT's own time plus, on Linux, the CPU time of the tiered-compilation threads —
    /// took under 1 % of the round's time (at most <see cref="Options.MaxSettleRounds"/> rounds; a short round could fall
    /// in one of the pauses tiering makes between batches). Tiered compilation recompiles hot methods in the background,
    /// and on 2 busy cores it went on for ~10 s — well past the fixed warm-up — using ~20 % of the CPU the service needs:
    /// measured during it, SQLite ran at ~960/s, measured after it ~1,430/s. The figures are those of a service that has
    /// been open a while, which is how it is used.
    /// </summary>
    private static async Task SettleAsync(HttpClient http, Options o)
    {
        var quiet = 0;
        for (var round = 1; round <= o.MaxSettleRounds; round++)
        {
            var before = CompilingTime();
            var sw = Stopwatch.StartNew();
            var chunk = 0;
            do
            {
                await RunClientsAsync(http, $"settle{round}-{chunk++}", 1_000, o.Clients).ConfigureAwait(false);
            }
            while (sw.Elapsed < TimeSpan.FromSeconds(1));

            var share = (CompilingTime() - before) / sw.Elapsed;
            quiet = share < 0.01 ? quiet + 1 : 0;
            if (quiet == 2)
            {
                Console.Error.WriteLine(FormattableString.Invariant($"    compiling settled after {round} rounds of at least 1 s and 1,000 executions ({share:P1} of the last round's time)"));
                return;
            }
        }

        Console.Error.WriteLine(FormattableString.Invariant($"    still compiling after {o.MaxSettleRounds} rounds; measuring anyway"));
    }

    /// <summary>The JIT's compilation time plus the CPU time of the tiered-compilation threads (Linux), so far.</summary>
    private static TimeSpan CompilingTime() => System.Runtime.JitInfo.GetCompilationTime() + TieringThreads.CpuTime;

    /// <summary>
    /// The CPU time of the runtime's tiered-compilation threads, from <c>/proc/self/task</c> (zero elsewhere). The runtime
    /// starts such a thread when it has methods to recompile and lets it end when idle, so a thread's time would vanish
    /// from a sum taken after it ended: a timer samples every thread every 50 ms and keeps the last time seen of each
    /// (by thread id and start time), so at most the last 50 ms of an ended thread are missed.
    /// </summary>
    private static class TieringThreads
    {
        private static readonly Dictionary<string, long> Seen = new(StringComparer.Ordinal);
        private static readonly Timer Sampler = new(_ => Sample(), null, 0, 50);

        public static TimeSpan CpuTime
        {
            get
            {
                GC.KeepAlive(Sampler);
                Sample();
                lock (Seen)
                {
                    return TimeSpan.FromMilliseconds(Seen.Values.Sum() * 10); // clock ticks, 100 a second
                }
            }
        }

        private static void Sample()
        {
            if (!Directory.Exists("/proc/self/task"))
            {
                return;
            }

            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    // After the command's closing parenthesis: field 3 is the state, 14 and 15 utime and stime, 22 the start time.
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    var key = Path.GetFileName(task) + ":" + fields[19];
                    lock (Seen)
                    {
                        Seen[key] = Math.Max(ticks, Seen.GetValueOrDefault(key));
                    }
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
    }

    /// <summary>
    /// The bytes this process has caused to be written to storage (<c>write_bytes</c> of <c>/proc/self/io</c>: the SQLite
    /// file and its write-ahead log; sockets are not counted), or null where the kernel does not say.
    /// </summary>
    private static long? DiskBytesWritten()
    {
        const string Key = "write_bytes:";
        if (!File.Exists("/proc/self/io"))
        {
            return null;
        }

        var line = File.ReadLines("/proc/self/io").FirstOrDefault(l => l.StartsWith(Key, StringComparison.Ordinal));
        return line is null ? null : long.Parse(line[Key.Length..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Runs <paramref name="count"/> executions with <paramref name="clients"/> concurrent clients; returns each latency (ms).</summary>
    private static async Task<double[]> RunClientsAsync(HttpClient http, string prefix, int count, int clients)
    {
        var latencies = new double[count];
        var next = -1;
        var failures = 0;
        string? firstFailure = null;
        var tasks = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i:D7}");
                using var request = new HttpRequestMessage(HttpMethod.Post, $"2015-03-31/functions/{Function}/invocations")
                {
                    Content = new ByteArrayContent("1"u8.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
                };
                request.Headers.Add("X-Amz-Durable-Execution-Name", name);
                var t0 = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (!response.IsSuccessStatusCode || body != "4" || response.Headers.Contains("X-Amz-Function-Error"))
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, $"{name}: HTTP {(int)response.StatusCode} {body}", null);
                }
            }
        })).ToList();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} of {count} executions did not answer 4; first: {firstFailure}");
        }

        return latencies;
    }

    /// <summary>
    /// Start and save latency for each stored count: every file is filled and opened by its own service first, then the
    /// samples are taken in turn — one start and one save on each service, round after round — so that the machine's drift
    /// (its cost per call moves by tens of percent from minute to minute) weighs on every size alike instead of deciding
    /// which size looks faster.
    /// </summary>
    private static async Task<List<LatencyResult>> LatenciesAsync(IReadOnlyList<int> storedCounts, Options o)
    {
        var stores = new List<LatencyStore>();
        try
        {
            foreach (var stored in storedCounts)
            {
                Console.Error.WriteLine($"==> store latency: filling {stored:N0} stored executions");
                stores.Add(await LatencyStore.OpenAsync(stored).ConfigureAwait(false));
            }

            Console.Error.WriteLine($"==> store latency: {o.Samples:N0} samples (+{o.Samples / 5} warm-up) on each, in turn");
            var warm = o.Samples / 5;
            for (var i = 0; i < warm + o.Samples; i++)
            {
                foreach (var store in stores)
                {
                    store.Sample(i, record: i >= warm);
                }
            }

            return stores.Select(s => s.Result()).ToList();
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One stored count's file and service for <see cref="LatenciesAsync"/>, and its samples.</summary>
    private sealed class LatencyStore : IAsyncDisposable
    {
        private static readonly OperationUpdate[] Step =
        [
            new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "reserve", Action = OperationAction.Start },
            new OperationUpdate { Id = "s1", Type = OperationType.Step, SubType = "Step", Name = "reserve", Action = OperationAction.Succeed, Payload = "2" },
        ];

        private readonly List<double> _starts = [];
        private readonly List<double> _saves = [];
        private TempDir? _dir;
        private LocalDurableService? _service;
        private int _stored;
        private double _fillSeconds;
        private double _openMs;
        private long _openBytes;

        public static async Task<LatencyStore> OpenAsync(int stored)
        {
            var store = new LatencyStore { _stored = stored, _dir = new TempDir() };
            var db = Path.Combine(store._dir.Path, "stored.db");
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            await CreateTemplateAsync(db, clock).ConfigureAwait(false);
            var fill = Stopwatch.StartNew();
            Prefill(db, stored);
            store._fillSeconds = fill.Elapsed.TotalSeconds;
            SqliteConnection.ClearAllPools();

            var before = ManagedBytes();
            var open = Stopwatch.StartNew();
            store._service = new LocalDurableService(new LocalDurableServiceOptions { DatabasePath = db, TimeProvider = clock, RunExecutions = false });
            store._openMs = open.Elapsed.TotalMilliseconds;
            store._openBytes = ManagedBytes() - before;
            store._service.Register(Function, ThreeSteps());
            return store;
        }

        /// <summary>One start and one save (a step's start and success in one checkpoint).</summary>
        public void Sample(int i, bool record)
        {
            var service = _service!;
            var t0 = Stopwatch.GetTimestamp();
            var arn = service.StartExecution(Function, "1", string.Create(CultureInfo.InvariantCulture, $"lat-{i:D7}"));
            var start = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            var token = service.Engine.BeginInvocation(arn).CheckpointToken!;
            t0 = Stopwatch.GetTimestamp();
            service.Engine.Checkpoint(arn, token, Step);
            var save = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (record)
            {
                _starts.Add(start);
                _saves.Add(save);
            }
        }

        public LatencyResult Result()
        {
            _starts.Sort();
            _saves.Sort();
            return new LatencyResult(_stored, _fillSeconds, _openMs, _openBytes, Percentile(_starts, 0.5), Percentile(_starts, 0.99), Percentile(_saves, 0.5), Percentile(_saves, 0.99));
        }

        public async ValueTask DisposeAsync()
        {
            if (_service is not null)
            {
                await _service.DisposeAsync().ConfigureAwait(false);
            }

            _dir?.Dispose();
        }
    }

    /// <summary>Runs one real execution of the workflow into the file: the row set <see cref="Prefill"/> copies.</summary>
    private static async Task CreateTemplateAsync(string db, FakeTimeProvider clock)
    {
        var service = new LocalDurableService(new LocalDurableServiceOptions { DatabasePath = db, TimeProvider = clock });
        await using (service.ConfigureAwait(false))
        {
            service.Register(Function, ThreeSteps()).Start();
            using var http = new HttpClient { BaseAddress = service.Endpoint };
            await RunClientsAsync(http, "template", 1, 1).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Copies the template execution's rows <paramref name="count"/> times (new names and ARNs, same shape: its execution
    /// row, operations and history events), in one transaction. Works on any schema version: the columns are read from
    /// the file.
    /// </summary>
    private static void Prefill(string db, int count)
    {
        if (count == 0)
        {
            return;
        }

        using var c = new SqliteConnection($"Data Source={db};Pooling=False");
        c.Open();
        string templateArn;
        using (var q = c.CreateCommand())
        {
            q.CommandText = "SELECT arn FROM executions WHERE name = 'template-0000000'";
            templateArn = (string)q.ExecuteScalar()!;
        }

        using var tx = c.BeginTransaction();
        const string NewName = "'prefill-' || printf('%07d', n.i)";
        const string NewArn = "replace(t.arn, '/template-0000000/', '/' || " + NewName + " || '/')";
        foreach (var table in new[] { "executions", "operations", "history_events", "timers" })
        {
            var columns = Columns(c, table);
            var select = columns.Select(col => col switch
            {
                "arn" => NewArn,
                "name" when table == "executions" => NewName,
                "seq" when table == "executions" => "t.seq + n.i",
                _ => "t." + col,
            });
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count.ToString(CultureInfo.InvariantCulture)})
                INSERT INTO {table} ({string.Join(", ", columns)})
                SELECT {string.Join(", ", select)} FROM {table} t, n WHERE t.arn = $arn
                """;
            cmd.Parameters.AddWithValue("$arn", templateArn);
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
    }

    private static List<string> Columns(SqliteConnection c, string table)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid";
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read())
        {
            names.Add(r.GetString(0));
        }

        return names;
    }

    internal static long ManagedBytes()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p)
        => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static bool GCSettings() => System.Runtime.GCSettings.IsServerGC;

    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    internal sealed record LoadResult(string Store, double PerSecond, double P50, double P99, double BytesPer1000, double? BytesPer1000AfterRetention, double CpuMsPerExecution, double AllocatedPerExecution, long Baseline, long Loaded, long? AfterRetention, double? TransactionsPerExecution, double? DiskBytesPerExecution, double JitMs);

    internal sealed record LatencyResult(int Stored, double FillSeconds, double OpenMs, long OpenBytes, double StartP50, double StartP99, double SaveP50, double SaveP99);

    private sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "durable-service-load-" + Environment.ProcessId + "-" + Interlocked.Increment(ref s_count));
            Directory.CreateDirectory(Path);
        }

        private static int s_count;

        public string Path { get; }

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path, recursive: true);
        }
    }

    internal sealed record Options
    {
        public int Executions { get; init; } = 10_000;

        public int Clients { get; init; } = 16;

        /// <summary>
        /// Executions run before measuring. Enough for tiered compilation to have recompiled the hot paths: with 500 the
        /// background JIT was still busy during a 4,000-execution run (22 % of the process's CPU in one profile).
        /// </summary>
        public int Warmup { get; init; } = 2_000;

        /// <summary>The most rounds of 1,000 executions <see cref="SettleAsync"/> runs waiting for the JIT to be done.</summary>
        public int MaxSettleRounds { get; init; } = 30;

        public int Samples { get; init; } = 1_000;

        /// <summary>
        /// The service configurations, each on the service's defaults but for what its name says: <c>memory</c> and
        /// <c>sqlite</c> (checkpoints in-process, SQLite synced at every commit); <c>-nosync</c> appended to <c>sqlite</c>:
        /// SyncEachCommit = false; <c>-http</c> appended last: InvokeOverHttp = true (the workflow checkpoints over HTTP).
        /// </summary>
        public IReadOnlyList<string> Stores { get; init; } = ["memory", "memory-http", "sqlite", "sqlite-http", "sqlite-nosync"];

        /// <summary>The store names <see cref="Stores"/> accepts.</summary>
        public static readonly IReadOnlyList<string> KnownStores = ["memory", "memory-http", "sqlite", "sqlite-http", "sqlite-nosync", "sqlite-nosync-http"];

        public IReadOnlyList<int> Stored { get; init; } = [0, 10_000, 100_000];

        public bool SkipLoad { get; init; }

        public bool SkipLatency { get; init; }

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                int Int() => int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                o = args[i] switch
                {
                    "--executions" => o with { Executions = Int() },
                    "--clients" => o with { Clients = Int() },
                    "--warmup" => o with { Warmup = Int() },
                    "--samples" => o with { Samples = Int() },
                    "--stores" => o with { Stores = ParseStores(Next()) },
                    "--stored" => o with { Stored = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList() },
                    "--skip-load" => o with { SkipLoad = true },
                    "--skip-latency" => o with { SkipLatency = true },
                    _ => throw new ArgumentException($"Unknown option '{args[i]}'. Options: --executions N --clients N --warmup N --samples N --stores memory,memory-http,sqlite,sqlite-http,sqlite-nosync --stored 0,10000,100000 --skip-load --skip-latency"),
                };
            }

            return o;
        }

        private static string[] ParseStores(string list)
        {
            var stores = list.Split(',');
            return stores.FirstOrDefault(s => !KnownStores.Contains(s)) is { } unknown
                ? throw new ArgumentException($"Unknown store '{unknown}'. Stores: {string.Join(", ", KnownStores)}.")
                : stores;
        }
    }
}
