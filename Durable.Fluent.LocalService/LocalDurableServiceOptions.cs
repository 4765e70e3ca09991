using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Durable.Fluent.LocalService;

/// <summary>Options of <see cref="LocalDurableService"/>.</summary>
public sealed record LocalDurableServiceOptions
{
    /// <summary>The default request body limit: 6 MiB (the largest payload) plus 64 KiB for the JSON around it.</summary>
    public const long DefaultMaxRequestBodyBytes = (6 * 1024 * 1024) + (64 * 1024);

    /// <summary>The address to listen on; <c>127.0.0.1</c> by default. Anything but a loopback address needs <see cref="AllowNonLoopback"/>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 (the default) picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>Must be set to listen on a non-loopback <see cref="Host"/>: the service has no authentication.</summary>
    public bool AllowNonLoopback { get; init; }

    /// <summary>The SQLite file that keeps executions across restarts (created if missing); <see langword="null"/> keeps them in memory only.</summary>
    public string? DatabasePath { get; init; }

    /// <summary>
    /// With a <see cref="DatabasePath"/>: whether every commit is synced to disk before the call that made it is answered.
    /// <see langword="true"/> (the default): a call is answered once the write-ahead log holding its transaction has been
    /// synced to disk, so an answered call survives even a power loss (the store syncs the log after each commit on its own
    /// thread, while the next transaction is written). <see langword="false"/>: a call is answered once its transaction is
    /// in the write-ahead log, which the operating system holds, so a crash or <c>kill -9</c> of the service still loses no
    /// answered call (tested), but a power loss or an operating-system crash may lose the calls answered since the log was
    /// last synced (at a checkpoint; the file stays consistent). Concurrent saves share one transaction and one sync (group
    /// commit), so the cost of syncing falls as load rises; <c>durable serve --sync normal</c> selects
    /// <see langword="false"/>. See "The local service at scale" in the README for the throughput of each setting.
    /// </summary>
    public bool SyncEachCommit { get; init; } = true;

    /// <summary>The clock: waits, retry delays and callback timeouts fire on it (inject a fake clock in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the service and the workflows it runs log.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// How the functions the service runs in its own process (workflows and handlers given to
    /// <c>LocalDurableService.Register</c>, and <c>durable serve --assembly</c>) checkpoint and read their state. Functions
    /// registered by URL are separate processes and always checkpoint over HTTP, whatever this says.
    /// <para><see langword="false"/> (the default): in-process. The function's checkpoint port calls the service's engine
    /// directly. It skips the JSON and the loopback HTTP (and so has no transport faults for the client's retries to
    /// retry), nothing else: the request size limit (<see cref="MaxRequestBodyBytes"/>, measured on the JSON the client
    /// would send), the token and update validation, a stopped or ended execution, a callback answered meanwhile all behave
    /// as over HTTP, and a refusal reaches the workflow as the same <see cref="CheckpointException"/> (the service's error
    /// type, status and message) that the HTTP client throws. Several times less CPU per checkpoint than the HTTP path
    /// (bench/README.md: <c>memory</c> against <c>memory-http</c>).</para>
    /// <para><see langword="true"/>: over HTTP. The function checkpoints through a
    /// <see cref="Checkpointing.Http.LambdaDurableExecutionClient"/> pointed at this service's REST API, exactly as a
    /// deployed function talks to AWS: request serialization, the client's retries and error parsing, the routes. Choose it
    /// to test that wire path itself (the client, the routes, a proxy or fault injection between them).</para>
    /// </summary>
    public bool InvokeOverHttp { get; init; }

    /// <summary>
    /// When <see langword="true"/> (the default) the service runs executions: it resumes the stored ones at
    /// <see cref="LocalDurableService.Start"/>, fires their timers and invokes their functions. When <see langword="false"/>
    /// it only serves the REST API and stores what it is told (callback answers, stops, new executions): no execution is
    /// resumed, no timer fires and no invocation begins, so nothing is left half-done when the process exits. For tools that
    /// list executions or answer a callback while the process that runs them is elsewhere (or not running yet).
    /// </summary>
    public bool RunExecutions { get; init; } = true;

    /// <summary>The region written into ARNs.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Requests with a larger body are rejected with 413 RequestTooLargeException.</summary>
    public long MaxRequestBodyBytes { get; init; } = DefaultMaxRequestBodyBytes;

    /// <summary>How long after a failed (thrown or crashed) invocation it is retried. Default 5 s, as the Python emulator.</summary>
    public TimeSpan InvocationRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>After this many consecutive failed invocations the execution is stopped. Default 5.</summary>
    public int MaxConsecutiveInvocationFailures { get; init; } = 5;

    /// <summary>The default <see cref="StalledRequestTimeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultStalledRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a client may take to send a request's headers, and the grace period after which its body must keep arriving
    /// at 240 bytes/s or more; a stalled request is answered 408 and its connection closed. At least 2 seconds.
    /// </summary>
    public TimeSpan StalledRequestTimeout { get; init; } = DefaultStalledRequestTimeout;

    /// <summary>
    /// How long a synchronous Invoke (<c>X-Amz-Invocation-Type: RequestResponse</c>) waits for its durable execution to end,
    /// on <see cref="TimeProvider"/>; 15 minutes by default, Lambda's limit for a synchronous invocation. When it passes,
    /// the caller gets a <c>Sandbox.Timedout</c> function error and the execution goes on.
    /// </summary>
    public TimeSpan SynchronousInvocationTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How many days an execution is kept once it has ended (the service's <c>RetentionPeriodInDays</c>, 1–90; default 14,
    /// as on AWS). Then it is purged from memory and from the SQLite file — history, operations, timers, callbacks and
    /// ClientToken entries — and GetDurableExecution answers 404. A function can have its own
    /// (<see cref="LocalDurableService.SetRetentionPeriod"/>) and the emulator's start route takes
    /// <c>ExecutionRetentionPeriodDays</c> per execution. Executions stored by a version without retention get this one.
    /// </summary>
    public int RetentionPeriodInDays { get; init; } = 14;

    /// <summary>
    /// How often (on <see cref="TimeProvider"/>) the service purges the executions past their retention period; 1 minute by
    /// default. Between sweeps an execution past its retention already answers 404 (it is purged when asked for); the sweep
    /// reclaims the memory and the disk space of the ones nobody asks for.
    /// </summary>
    public TimeSpan RetentionSweepInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// With a <see cref="DatabasePath"/>: how many ended executions stay in memory besides the running ones (the least
    /// recently used are dropped first and read back from the file when asked for); default 1,000, about 7 MiB for small
    /// workflows. Memory is then bounded by the running executions plus this cache. Without a database every execution
    /// stays in memory until its retention period has passed.
    /// </summary>
    public int CachedEndedExecutions { get; init; } = 1_000;

    /// <summary>
    /// Durable functions in any language, reached by URL (the <c>--function name=url</c> form parses with
    /// <see cref="FunctionUrl.Parse"/>); registered when the service is created, as <see cref="LocalDurableService.RegisterUrl"/> does.
    /// </summary>
    public IReadOnlyList<FunctionUrl> FunctionUrls { get; init; } = [];

    /// <summary>
    /// How long one invocation of a function registered by URL may take before it is recorded as timed out
    /// (<c>Sandbox.Timedout</c>) and retried, unless its registration says otherwise; 15 minutes by default, Lambda's limit.
    /// </summary>
    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>When positive, invocation envelopes carry at most this many operations and the rest is paged (exercises GetDurableExecutionState).</summary>
    public int InitialStatePageSize { get; init; }

    /// <summary>Fills a buffer with random bytes for the service's identifiers (a cryptographic source unless a test injects one).</summary>
    internal Action<byte[]>? RandomFill { get; init; }
}

/// <summary>A durable function handler the local service invokes in-process: the envelope, the checkpoint port to use, cancellation.</summary>
/// <param name="input">The invocation envelope.</param>
/// <param name="store">The checkpoint port: the service's engine in-process, or the HTTP client pointed at the service (<see cref="LocalDurableServiceOptions.InvokeOverHttp"/>).</param>
/// <param name="cancellationToken">Cancelled when the service shuts down.</param>
/// <returns>The invocation output.</returns>
public delegate Task<DurableExecutionInvocationOutput> LocalDurableHandler(DurableExecutionInvocationInput input, ICheckpointStore store, CancellationToken cancellationToken);

/// <summary>How the service invokes a registered function: the envelope, the checkpoint port, the invocation's request id, cancellation.</summary>
internal delegate Task<DurableExecutionInvocationOutput> FunctionInvoker(DurableExecutionInvocationInput input, ICheckpointStore store, string requestId, CancellationToken cancellationToken);
