using System.ComponentModel;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.Runtime;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService.Http;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.LocalService;

/// <summary>
/// A durable execution service on this machine: the same <see cref="LocalDurableEngine"/> the test runner uses, on real
/// time (or the <see cref="LocalDurableServiceOptions.TimeProvider"/> you give it), optionally kept in a SQLite file, behind
/// an HTTP front on 127.0.0.1 that serves the durable execution REST API (<c>/2025-12-01/...</c>) plus the emulator routes
/// <c>POST /start-durable-execution</c>, <c>GET /2025-12-01/durable-executions</c> and <c>GET /health</c>.
/// Registered workflows run in-process when an execution starts, when a timer fires (wait end, retry due, callback
/// timeout) and when a callback arrives; one invocation at a time per execution. They checkpoint in-process by default
/// (with the same checks and errors as over HTTP), or through the REST API with
/// <see cref="LocalDurableServiceOptions.InvokeOverHttp"/>.
/// </summary>
/// <example>
/// <code>
/// await using var service = new LocalDurableService(new LocalDurableServiceOptions { DatabasePath = ".durable/orders.db" })
///     .Register("order-processor", OrderWorkflow.Definition)
///     .Start();
/// var arn = service.StartExecution("order-processor", """{"OrderId":"o-1"}""");
/// using var client = service.CreateClient();
/// var execution = await client.GetDurableExecutionAsync(arn);
/// </code>
/// </example>
public sealed class LocalDurableService : IAsyncDisposable
{
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromHours(12);
    private readonly LocalDurableServiceOptions _options;
    private readonly SqliteEngineStateStore? _sqlite;
    private readonly ConcurrentDictionary<string, FunctionInvoker> _functions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FunctionUrl> _functionUrls = new(StringComparer.Ordinal);
    private readonly HttpClient _functionHttp;
    private readonly ConcurrentDictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _workerTasks = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ILogger _log;
    private readonly InProcessCheckpointStore _inProcessStore;
    private readonly ConcurrentDictionary<string, int> _retention = new(StringComparer.Ordinal);
    private readonly object _sweepGate = new();
    private ITimer? _sweepTimer;
    private Task _sweep = Task.CompletedTask;
    private LocalServiceHost? _front;
    private LambdaDurableExecutionClient? _selfClient;
    private int _state; // 0 created, 1 started, 2 disposed

    /// <summary>Creates the service (opening or creating the SQLite file, if one is configured); call <see cref="Start"/> to listen.</summary>
    /// <param name="options">Options, or <see langword="null"/> for the defaults (in-memory, 127.0.0.1, a free port, the system clock).</param>
    /// <exception cref="ArgumentException">The host is not a loopback address and <see cref="LocalDurableServiceOptions.AllowNonLoopback"/> is not set, or an option is out of range.</exception>
    public LocalDurableService(LocalDurableServiceOptions? options = null)
    {
        _options = options ?? new LocalDurableServiceOptions();
        if (!IsLoopbackHost(_options.Host) && !_options.AllowNonLoopback)
        {
            throw new ArgumentException(
                $"The local durable service has no authentication and listens on loopback only; set AllowNonLoopback to listen on '{_options.Host}'.",
                nameof(options));
        }

        if (_options.Port is < 0 or > 65535)
        {
            throw new ArgumentException("Port must be 0 (pick a free port) or 1–65535.", nameof(options));
        }

        if (_options.StalledRequestTimeout < TimeSpan.FromSeconds(2))
        {
            throw new ArgumentException("StalledRequestTimeout must be at least 2 seconds (Kestrel checks timeouts once a second).", nameof(options));
        }

        if (_options.MaxConsecutiveInvocationFailures < 1 || _options.InvocationRetryDelay < TimeSpan.Zero || _options.MaxRequestBodyBytes < 1024)
        {
            throw new ArgumentException("MaxConsecutiveInvocationFailures must be ≥ 1, InvocationRetryDelay ≥ 0 and MaxRequestBodyBytes ≥ 1024.", nameof(options));
        }

        if (_options.RetentionPeriodInDays is < LocalDurableEngine.MinRetentionPeriodInDays or > LocalDurableEngine.MaxRetentionPeriodInDays)
        {
            throw new ArgumentException($"RetentionPeriodInDays must be {LocalDurableEngine.MinRetentionPeriodInDays}–{LocalDurableEngine.MaxRetentionPeriodInDays} days, not {_options.RetentionPeriodInDays}.", nameof(options));
        }

        if (_options.RetentionSweepInterval <= TimeSpan.Zero || _options.CachedEndedExecutions < 0)
        {
            throw new ArgumentException("RetentionSweepInterval must be positive and CachedEndedExecutions 0 or more.", nameof(options));
        }

        if (_options.FunctionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("FunctionTimeout must be positive (the default is 15 minutes, Lambda's limit for one invocation).", nameof(options));
        }

        _log = _options.LoggerFactory.CreateLogger("Durable.Fluent.LocalDurableService");
        Ids = _options.RandomFill is { } fill ? new ServiceIdentifiers(fill) : ServiceIdentifiers.Cryptographic;
        var ids = Ids;
        var engineOptions = new LocalEngineOptions
        {
            Region = _options.Region,
            CallbackIdFactory = (_, _) => ids.CallbackId(),
            CheckpointTokenFactory = _ => ids.CheckpointToken(),
            ExecutionIdFactory = ids.ExecutionId,
            InitialStatePageSize = _options.InitialStatePageSize,
            RetentionPeriodInDays = _options.RetentionPeriodInDays,
            CachedEndedExecutions = _options.CachedEndedExecutions,
        };
        if (_options.DatabasePath is { } path)
        {
            _sqlite = new SqliteEngineStateStore(path, legacyRetentionDays: _options.RetentionPeriodInDays, syncEachCommit: _options.SyncEachCommit);
            try
            {
                Engine = new LocalDurableEngine(_options.TimeProvider, engineOptions, _sqlite);
            }
            catch
            {
                _sqlite.Dispose();
                throw;
            }
        }
        else
        {
            Engine = new LocalDurableEngine(_options.TimeProvider, engineOptions);
        }

        _inProcessStore = new InProcessCheckpointStore(this);
        Idempotency = new CheckpointIdempotency(_options.TimeProvider);
        Engine.ChainedInvokeStarter = StartChainedInvoke;
        _functionHttp = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each invocation has its own timeout, on the service's clock
        };
        try
        {
            foreach (var function in _options.FunctionUrls)
            {
                ArgumentNullException.ThrowIfNull(function, nameof(options));
                RegisterUrl(function.Name, function.Url, function.Timeout);
            }
        }
        catch
        {
            _functionHttp.Dispose();
            _sqlite?.Dispose();
            throw;
        }
    }

    private readonly ConcurrentDictionary<string, (string ParentArn, string OperationId)> _chainedChildren = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _ended = new(StringComparer.Ordinal);

    /// <summary>The base URI of the HTTP front (for example <c>http://127.0.0.1:54321/</c>).</summary>
    /// <exception cref="InvalidOperationException">The service has not been started.</exception>
    public Uri Endpoint => _front?.Endpoint ?? throw new InvalidOperationException("Call Start() first.");

    /// <summary>The full path of the SQLite file, or <see langword="null"/> when executions are kept in memory.</summary>
    public string? DatabasePath => _sqlite?.FilePath;

    /// <summary>The SQLite store, when there is a <see cref="DatabasePath"/> (for tests and the benchmark).</summary>
    internal SqliteEngineStateStore? SqliteStore => _sqlite;

    /// <summary>The names of the registered functions (workflows, handlers and functions by URL).</summary>
    public IReadOnlyCollection<string> Functions => _functions.Keys.ToList();

    /// <summary>The functions registered by URL (<see cref="RegisterUrl"/> or <see cref="LocalDurableServiceOptions.FunctionUrls"/>), with their effective timeouts.</summary>
    public IReadOnlyCollection<FunctionUrl> FunctionUrls => _functionUrls.Values.ToList();

    /// <summary>The engine (tests read state through it).</summary>
    internal LocalDurableEngine Engine { get; }

    internal LocalDurableServiceOptions Options => _options;

    internal ILogger Log => _log;

    /// <summary>Where checkpoint tokens, execution ids, callback ids and request ids come from.</summary>
    internal ServiceIdentifiers Ids { get; }

    /// <summary>The ClientToken answers of CheckpointDurableExecution (15-minute window).</summary>
    internal CheckpointIdempotency Idempotency { get; }

    /// <summary>How many executions have a worker (running ones; a worker leaves when its execution ends).</summary>
    internal int WorkerCount => _workers.Count;

    /// <summary>The retention sweep in progress or last run (tests and the benchmark wait for it).</summary>
    internal Task RetentionSweep => Volatile.Read(ref _sweep);

    /// <summary>
    /// Sets a function's retention period, as its <c>DurableConfig.RetentionPeriodInDays</c> does on AWS: its executions
    /// started from now on are kept that many days after they end (unless the start request names its own), then purged.
    /// Without it they get <see cref="LocalDurableServiceOptions.RetentionPeriodInDays"/>.
    /// </summary>
    /// <param name="functionName">The function name (it need not be registered yet).</param>
    /// <param name="days">1–90 days.</param>
    /// <returns>This service.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The period is not 1–90 days.</exception>
    public LocalDurableService SetRetentionPeriod(string functionName, int days)
    {
        if (!IsValidName(functionName))
        {
            throw new ArgumentException($"Invalid function name '{functionName}': 1–64 characters of [a-zA-Z0-9-_].", nameof(functionName));
        }

        if (days is < LocalDurableEngine.MinRetentionPeriodInDays or > LocalDurableEngine.MaxRetentionPeriodInDays)
        {
            throw new ArgumentOutOfRangeException(nameof(days), days, $"RetentionPeriodInDays must be {LocalDurableEngine.MinRetentionPeriodInDays}–{LocalDurableEngine.MaxRetentionPeriodInDays} days.");
        }

        _retention[functionName] = days;
        return this;
    }

    /// <summary>Registers a workflow under a function name; executions of that function run it.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="functionName">The function name (1–64 characters of <c>[a-zA-Z0-9-_]</c>), e.g. <c>order-processor</c>.</param>
    /// <param name="workflow">The workflow.</param>
    /// <param name="runOptions">Invocation options; by default the service's clock and logger factory.</param>
    /// <returns>This service.</returns>
    public LocalDurableService Register<TIn, TOut>(string functionName, Workflow<TIn, TOut> workflow, DurableRunOptions? runOptions = null)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var run = runOptions ?? new DurableRunOptions { TimeProvider = _options.TimeProvider, LoggerFactory = _options.LoggerFactory };
        Register(functionName, (input, store, ct) => workflow.HandleAsync(input, store, run, ct));
        _definitions[functionName] = workflow.ToMermaid;
        return this;
    }

    /// <summary>A builder is registered as <c>builder.Build()</c>. Reported as the compile error DF0003 (call <c>Build()</c>).</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="functionName">The function name.</param>
    /// <param name="builder">A builder (not accepted).</param>
    /// <param name="runOptions">Invocation options.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public LocalDurableService Register<TIn, TOut>(string functionName, WorkflowBuilder<TIn, TOut> builder, DurableRunOptions? runOptions = null)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    private readonly ConcurrentDictionary<string, Func<string>> _definitions = new(StringComparer.Ordinal);

    /// <summary>The Mermaid flowchart of the workflow registered as <paramref name="functionName"/>, or <see langword="null"/> when it has none (a raw handler).</summary>
    internal string? DefinitionGraph(string functionName) => _definitions.TryGetValue(functionName, out var render) ? render() : null;

    /// <summary>Registers a raw durable function handler under a function name.</summary>
    /// <param name="functionName">The function name (1–64 characters of <c>[a-zA-Z0-9-_]</c>).</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This service.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public LocalDurableService Register(string functionName, LocalDurableHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Register(functionName, (input, store, _, ct) => handler(input, store, ct));
    }

    /// <summary>
    /// Registers a durable function written in any language, reached over HTTP: each invocation POSTs the invocation envelope
    /// JSON to <paramref name="invokeUrl"/> and reads the output envelope JSON back — Lambda's Invoke shape, which a Lambda
    /// container's runtime interface emulator serves at <c>/2015-03-31/functions/function/invocations</c> and which
    /// <c>tools/js-host</c> serves for a JavaScript handler. The function checkpoints through this service's REST API: point
    /// its SDK at <see cref="Endpoint"/> (for the AWS SDKs, <c>AWS_ENDPOINT_URL_LAMBDA</c>). Each request carries the
    /// invocation's request id (<c>Lambda-Runtime-Aws-Request-Id</c>) and deadline (<c>Lambda-Runtime-Deadline-Ms</c>).
    /// </summary>
    /// <remarks>
    /// An invocation that does not answer within the timeout (<c>Sandbox.Timedout</c>), cannot connect, answers a non-2xx
    /// status or a body that is not an output envelope (<c>Runtime.ExitError</c>), answers a function error
    /// (<c>X-Amz-Function-Error</c>, or <c>{"errorType","errorMessage"}</c>: its error type) or more than 6 MB
    /// (<c>Function.ResponseSizeTooLarge</c>) is recorded as a failed invocation (InvocationCompleted with that error),
    /// its checkpoint token is revoked, and it is retried after <see cref="LocalDurableServiceOptions.InvocationRetryDelay"/>;
    /// after <see cref="LocalDurableServiceOptions.MaxConsecutiveInvocationFailures"/> failures in a row the execution is
    /// stopped. Each failure is logged at Warning with the URL and what came back.
    /// </remarks>
    /// <param name="functionName">The function name executions are started with (1–64 characters of <c>[a-zA-Z0-9-_]</c>).</param>
    /// <param name="invokeUrl">The absolute http or https URL, e.g. <c>http://127.0.0.1:9000/2015-03-31/functions/function/invocations</c>.</param>
    /// <param name="timeout">How long one invocation may take; <see langword="null"/> uses <see cref="LocalDurableServiceOptions.FunctionTimeout"/>.</param>
    /// <returns>This service.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered, the URL is not absolute http/https, or the timeout is not positive.</exception>
    public LocalDurableService RegisterUrl(string functionName, Uri invokeUrl, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(invokeUrl);
        if (!FunctionUrl.IsHttp(invokeUrl))
        {
            throw new ArgumentException($"Invalid URL '{invokeUrl}' for function '{functionName}': an absolute http:// or https:// URL is expected, e.g. http://127.0.0.1:9000/2015-03-31/functions/function/invocations.", nameof(invokeUrl));
        }

        var effective = timeout ?? _options.FunctionTimeout;
        if (effective <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The timeout of function '{functionName}' must be positive.", nameof(timeout));
        }

        var function = new FunctionUrl(functionName, invokeUrl, effective);
        var invoker = new UrlFunctionInvoker(function, effective, _functionHttp, _options.TimeProvider);
        if (!_functionUrls.TryAdd(functionName, function)) // before Register: a resumed execution may be invoked at once
        {
            throw new ArgumentException($"A function named '{functionName}' is already registered.", nameof(functionName));
        }

        try
        {
            return Register(functionName, (input, _, requestId, ct) => invoker.InvokeAsync(input, requestId, StartedWith(input.DurableExecutionArn), ct));
        }
        catch (ArgumentException)
        {
            _functionUrls.TryRemove(new KeyValuePair<string, FunctionUrl>(functionName, function));
            throw;
        }
    }

    private LocalDurableService Register(string functionName, FunctionInvoker invoker)
    {
        if (!IsValidName(functionName))
        {
            throw new ArgumentException($"Invalid function name '{functionName}': 1–64 characters of [a-zA-Z0-9-_].", nameof(functionName));
        }

        if (!_functions.TryAdd(functionName, invoker))
        {
            throw new ArgumentException($"A function named '{functionName}' is already registered.", nameof(functionName));
        }

        if (Volatile.Read(ref _state) == 1 && _options.RunExecutions)
        {
            ResumeExecutions(functionName);
        }

        return this;
    }

    /// <summary>
    /// Starts listening and resumes the stored executions: an invocation that was in flight when the previous process
    /// stopped is recorded as crashed (<c>Runtime.ExitError</c>) and retried; a failed invocation that was waiting for its
    /// retry is retried after <see cref="LocalDurableServiceOptions.InvocationRetryDelay"/> from its failure, its failures
    /// in a row still counted; timers that came due meanwhile fire. With
    /// <see cref="LocalDurableServiceOptions.RunExecutions"/> off, it only listens.
    /// </summary>
    /// <returns>This service.</returns>
    /// <exception cref="InvalidOperationException">Already started or disposed.</exception>
    /// <exception cref="IOException">The port cannot be bound.</exception>
    public LocalDurableService Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The service was already started or disposed.");
        }

        _front = LocalServiceHost.Start(this, _options);
        var clientHost = IsLoopbackHost(_options.Host) ? _front.Endpoint : new UriBuilder(_front.Endpoint) { Host = "127.0.0.1" }.Uri;
        _selfClient = new LambdaDurableExecutionClient(new LambdaDurableClientOptions
        {
            Endpoint = clientHost,
            Credentials = new AnonymousAWSCredentials(),
            Region = _options.Region,
        });
        _log.LogDebug("Local durable service listening on {Endpoint} (store: {Store})", _front.Endpoint, DatabasePath ?? "in memory");
        _sweepTimer = _options.TimeProvider.CreateTimer(static s => ((LocalDurableService)s!).StartSweep(), this, _options.RetentionSweepInterval, _options.RetentionSweepInterval);
        if (_options.RunExecutions)
        {
            ResumeExecutions(null);
        }

        return this;
    }

    /// <summary>Creates an unsigned <see cref="LambdaDurableExecutionClient"/> for this service (dispose it when done).</summary>
    /// <returns>The client.</returns>
    public LambdaDurableExecutionClient CreateClient()
        => new(new LambdaDurableClientOptions { Endpoint = Endpoint, Credentials = new AnonymousAWSCredentials(), Region = _options.Region });

    /// <summary>
    /// Starts an execution of a registered function and invokes it at once (in the background). Its execution timeout is
    /// the longest the service allows (366 days); the emulator's start route takes <c>ExecutionTimeoutSeconds</c>.
    /// </summary>
    /// <param name="functionName">The registered function.</param>
    /// <param name="inputJson">The input as JSON text (null or empty means <c>{}</c>).</param>
    /// <param name="executionName">The execution name (1–64 of <c>[a-zA-Z0-9-_]</c>); generated when omitted.</param>
    /// <returns>The execution ARN.</returns>
    /// <exception cref="LocalEngineException">Unknown function (404 ResourceNotFoundException), invalid input or name (400), duplicate name (409).</exception>
    public string StartExecution(string functionName, string? inputJson, string? executionName = null)
        => StartExecution(functionName, inputJson, executionName, "$LATEST", DefaultExecutionTimeoutSeconds);

    /// <summary>Waits until no invocation of the execution runs and nothing is due now (its next timer, if any, is armed).</summary>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the execution is idle.</returns>
    public Task WaitForIdleAsync(string durableExecutionArn, CancellationToken cancellationToken = default)
    {
        if (!_workers.TryGetValue(durableExecutionArn, out var w))
        {
            return Task.CompletedTask;
        }

        Task idle;
        lock (w.Gate)
        {
            idle = w.Running ? w.Idle.Task : Task.CompletedTask;
        }

        return idle.WaitAsync(cancellationToken);
    }

    /// <summary>Stops listening, cancels running invocations (a restarted service retries them) and closes the SQLite file.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        lock (_sweepGate)
        {
            _sweepTimer?.Dispose();
            _sweepTimer = null;
        }

        foreach (var w in _workers.Values)
        {
            lock (w.Gate)
            {
                w.Timer?.Dispose();
                w.Timer = null;
            }
        }

        try
        {
            await Task.WhenAll(_workerTasks.Keys.Append(RetentionSweep)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogDebug(ex, "A worker ended with an error during shutdown.");
        }

        if (_front is not null)
        {
            await _front.DisposeAsync().ConfigureAwait(false);
        }

        _selfClient?.Dispose();
        _functionHttp.Dispose();
        _sqlite?.Dispose();
        _shutdown.Dispose();
    }

    /// <summary>The execution timeout of executions started without one (by <see cref="StartExecution(string, string?, string?)"/> or Invoke): the longest allowed.</summary>
    internal const int DefaultExecutionTimeoutSeconds = LocalDurableEngine.MaxExecutionTimeoutSeconds;

    /// <summary>
    /// Starts an execution the way Lambda's Invoke does with an execution name: a new name starts one; the same name while
    /// that execution is RUNNING with the identical payload is an idempotent start (its ARN is returned); the same name with
    /// another payload, or once that execution has ended, is <c>DurableExecutionAlreadyStartedException</c> (409).
    /// </summary>
    /// <returns>The ARN, and whether it is an execution that already existed.</returns>
    internal async Task<(string Arn, bool Existing)> StartOrAttachAsync(string functionName, string? inputJson, string? executionName, string qualifier, string? tenantId, string? traceHeader = null)
    {
        try
        {
            return (await StartExecutionAsync(functionName, inputJson, executionName, qualifier, DefaultExecutionTimeoutSeconds, tenantId, traceHeader: traceHeader).ConfigureAwait(false), false);
        }
        catch (LocalEngineException ex) when (ex.ErrorCode == "DurableExecutionAlreadyStartedException" && executionName is not null)
        {
            var existing = Engine.FindExecution(functionName, executionName);
            if (existing is null)
            {
                throw;
            }

            if (existing.Status == ExecutionStatus.Running && string.Equals(existing.InputPayload ?? string.Empty, inputJson ?? string.Empty, StringComparison.Ordinal))
            {
                return (existing.DurableExecutionArn, true);
            }

            throw new LocalEngineException(
                "DurableExecutionAlreadyStartedException",
                409,
                existing.Status == ExecutionStatus.Running
                    ? $"A durable execution named '{executionName}' of function {functionName} is already running with a different payload ({existing.DurableExecutionArn}). Use another name, or the same payload to attach to it."
                    : $"A durable execution named '{executionName}' of function {functionName} already ran and ended {UpperSnakeEnumConverter<ExecutionStatus>.ToToken(existing.Status)} ({existing.DurableExecutionArn}); names are unique per function. Use another name.");
        }
    }

    /// <summary>
    /// Waits until the execution has ended (SUCCEEDED, FAILED, TIMED_OUT or STOPPED), at most <paramref name="timeout"/> on
    /// the service's clock.
    /// </summary>
    /// <returns>Whether it ended in time.</returns>
    internal async Task<bool> WaitForEndAsync(string arn, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ended = _ended.GetOrAdd(arn, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        SignalIfEnded(arn);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        try
        {
            await ended.Task.WaitAsync(timeout, _options.TimeProvider, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Releases the callers of <see cref="WaitForEndAsync"/> once the execution has ended.</summary>
    private void SignalIfEnded(string arn)
    {
        if (_ended.TryGetValue(arn, out var ended) && Engine.GetExecution(arn).Status != ExecutionStatus.Running && _ended.TryRemove(arn, out _))
        {
            ended.TrySetResult();
        }
    }

    /// <summary>The tenant id and trace header an execution was started with (passed on to a function invoked by URL), or nulls when it is gone.</summary>
    private (string? TenantId, string? TraceHeader) StartedWith(string? arn)
    {
        if (arn is null)
        {
            return (null, null);
        }

        try
        {
            var execution = Engine.GetExecution(arn);
            return (execution.TenantId, execution.TraceHeader);
        }
        catch (LocalEngineException)
        {
            return (null, null);
        }
    }

    internal string StartExecution(string functionName, string? inputJson, string? executionName, string qualifier, int timeoutSeconds, string? tenantId = null, int? retentionDays = null, string? traceHeader = null)
        => StartExecutionAsync(functionName, inputJson, executionName, qualifier, timeoutSeconds, tenantId, retentionDays, traceHeader).GetAwaiter().GetResult();

    /// <summary>Starts an execution and invokes it; the task completes once the start is durable (the routes wait without holding a thread).</summary>
    internal async Task<string> StartExecutionAsync(string functionName, string? inputJson, string? executionName, string qualifier, int timeoutSeconds, string? tenantId = null, int? retentionDays = null, string? traceHeader = null)
    {
        if (string.IsNullOrEmpty(functionName) || !_functions.ContainsKey(functionName))
        {
            throw new LocalEngineException("ResourceNotFoundException", 404, $"Function not found: no function named '{functionName}' is registered with the local durable service.");
        }

        if (!string.IsNullOrEmpty(inputJson))
        {
            if (System.Text.Encoding.UTF8.GetByteCount(inputJson) > 6_291_456)
            {
                throw new LocalEngineException("InvalidParameterValueException", 400, "The execution input exceeds 6,291,456 bytes.");
            }

            try
            {
                using var _ = JsonDocument.Parse(inputJson);
            }
            catch (JsonException ex)
            {
                throw new LocalEngineException("InvalidParameterValueException", 400, $"The execution input is not valid JSON: {ex.Message}");
            }
        }

        var arn = await Engine.StartExecutionAsync(new StartExecutionRequest
        {
            FunctionName = functionName,
            ExecutionName = executionName,
            InputPayload = inputJson,
            Qualifier = qualifier,
            ExecutionTimeoutSeconds = timeoutSeconds,
            TenantId = tenantId,
            TraceHeader = traceHeader,
            RetentionPeriodInDays = retentionDays ?? RetentionOf(functionName),
        }).ConfigureAwait(false);
        Kick(arn, invokeNow: true);
        return arn;
    }

    private long _checkpointRequests;

    /// <summary>
    /// CheckpointDurableExecution requests the service has received (a cost figure: requests per step): over HTTP, and from
    /// the functions it runs in-process when <see cref="LocalDurableServiceOptions.InvokeOverHttp"/> is off. A request
    /// refused for its size is not counted.
    /// </summary>
    public long CheckpointRequests => Interlocked.Read(ref _checkpointRequests);

    internal void CountCheckpointRequest() => Interlocked.Increment(ref _checkpointRequests);

    /// <summary>Something happened to the execution (a callback, a stop): let its worker look.</summary>
    internal void Notify(string arn)
    {
        CompleteChainedParentIfDone(arn);
        SignalIfEnded(arn);
        Kick(arn, invokeNow: false);
    }

    /// <summary>
    /// Runs a chained invoke against a registered function: the target (name, optionally qualified with a version, alias or
    /// <c>$LATEST</c>) starts as its own execution; when it ends, its result or error completes the caller's operation.
    /// The caller-to-target link is rebuilt from the stored operations when the service restarts.
    /// </summary>
    private ChainedInvokeStart StartChainedInvoke(ChainedInvokeRequest request)
    {
        var functionName = FunctionNameOf(request.FunctionName);
        var qualifier = "$LATEST";
        var colon = functionName.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            qualifier = functionName[(colon + 1)..];
            functionName = functionName[..colon];
        }

        if (!_functions.ContainsKey(functionName))
        {
            throw new LocalEngineException("ResourceNotFoundException", 404, $"Function not found: no function named '{functionName}' is registered with the local durable service.");
        }

        var childName = "invoke-" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(request.ParentArn + "|" + request.OperationId))).ToLowerInvariant()[..40];
        var childArn = Engine.StartExecution(new StartExecutionRequest
        {
            FunctionName = functionName,
            ExecutionName = childName,
            InputPayload = request.Payload,
            Qualifier = qualifier,
            TenantId = request.TenantId,
            TraceHeader = request.TraceHeader,
            RetentionPeriodInDays = RetentionOf(functionName),
        });
        _chainedChildren[childArn] = (request.ParentArn, request.OperationId);
        Kick(childArn, invokeNow: true);
        return new ChainedInvokeStart(childArn, qualifier);
    }

    private void CompleteChainedParentIfDone(string childArn)
    {
        if (!_chainedChildren.TryGetValue(childArn, out var parent))
        {
            return;
        }

        var child = Engine.GetExecution(childArn);
        if (child.Status == ExecutionStatus.Running || !_chainedChildren.TryRemove(childArn, out _))
        {
            return;
        }

        var status = child.Status switch
        {
            ExecutionStatus.Succeeded => OperationStatus.Succeeded,
            ExecutionStatus.TimedOut => OperationStatus.TimedOut,
            ExecutionStatus.Stopped => OperationStatus.Stopped,
            _ => OperationStatus.Failed,
        };
        Engine.CompleteChainedInvoke(parent.ParentArn, parent.OperationId, status, child.Result, child.Error);
        Kick(parent.ParentArn, invokeNow: false);
    }

    internal bool IsRegistered(string functionName) => _functions.ContainsKey(functionName);

    /// <summary>The function's retention period, if it has its own (else the engine uses the service's).</summary>
    private int? RetentionOf(string functionName) => _retention.TryGetValue(functionName, out var days) ? days : null;

    /// <summary>The sweep timer fired: purge in the background, one sweep at a time, never after disposal.</summary>
    private void StartSweep()
    {
        lock (_sweepGate)
        {
            if (_sweepTimer is null || !_sweep.IsCompleted)
            {
                return;
            }

            _sweep = Task.Run(Sweep);
        }
    }

    /// <summary>Purges the executions past their retention period, their workers and their ClientToken entries.</summary>
    private void Sweep()
    {
        try
        {
            var purged = Engine.PurgeExpired();
            Idempotency.ForgetExpired();
            if (purged > 0)
            {
                _log.LogDebug("Purged {Count} executions past their retention period", purged);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogError(ex, "The local durable service could not purge the executions past their retention period.");
        }
    }

    internal static string FunctionNameOf(string functionArn)
    {
        const string marker = ":function:";
        var i = functionArn.IndexOf(marker, StringComparison.Ordinal);
        return i < 0 ? functionArn : functionArn[(i + marker.Length)..];
    }

    internal static bool IsValidName(string? name)
        => name is { Length: >= 1 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool IsLoopbackHost(string host)
        => string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private void ResumeExecutions(string? functionName)
    {
        // Re-link chained invokes that were waiting on their targets when the previous process stopped; a target that
        // already ended reports back now.
        foreach (var (caller, operationId, target) in Engine.OpenChainedInvokes())
        {
            _chainedChildren.TryAdd(target, (caller, operationId));
            CompleteChainedParentIfDone(target);
        }

        foreach (var arn in Engine.OpenExecutions())
        {
            ExecutionSnapshot snapshot;
            try
            {
                snapshot = Engine.GetExecution(arn);
            }
            catch (LocalEngineException ex) when (ex.StatusCode == 404)
            {
                continue;
            }

            if (snapshot.Status != ExecutionStatus.Running
                || (functionName is not null && FunctionNameOf(snapshot.FunctionArn) != functionName))
            {
                continue;
            }

            var invokeNow = false;
            (int Failures, DateTimeOffset At)? retry = null;
            if (Engine.IsInvocationInFlight(arn) && !_workers.ContainsKey(arn))
            {
                // The previous process stopped during this invocation: Lambda would record the crash and retry it.
                Engine.EndInvocation(arn, InvocationOutcome.Crashed("Runtime.ExitError", StoppedDuringInvocation), Ids.RequestId());
                invokeNow = true;
            }
            else
            {
                var invocations = Engine.GetHistory(arn).Where(e => e.EventType == HistoryEventType.InvocationCompleted).ToList();
                if (invocations.Count == 0)
                {
                    invokeNow = true;
                }
                else if (invocations[^1].Details?.Error is { } error)
                {
                    if (IsServiceStop(error))
                    {
                        // A process before this one recorded its own stop and stopped again before the retry began.
                        invokeNow = true;
                    }
                    else
                    {
                        // The previous process stopped while it waited to retry a failed invocation: the retry and the count
                        // of the function's failures in a row (which stops the execution at MaxConsecutiveInvocationFailures)
                        // carry on here. The service's own stops do not count.
                        var failures = invocations.AsEnumerable().Reverse().TakeWhile(e => e.Details?.Error is not null).Count(e => !IsServiceStop(e.Details!.Error!));
                        retry = (failures, invocations[^1].EventTimestamp + _options.InvocationRetryDelay);
                    }
                }
            }

            Kick(arn, invokeNow, retry);
        }
    }

    /// <summary>The message of the InvocationCompleted a restarted service records for an invocation its previous process cut off.</summary>
    private const string StoppedDuringInvocation = "The local durable service stopped during this invocation.";

    private static bool IsServiceStop(EventError error) => error.Payload?.ErrorMessage == StoppedDuringInvocation;

    private void Kick(string arn, bool invokeNow, (int Failures, DateTimeOffset At)? retry = null)
    {
        if (!_options.RunExecutions)
        {
            return; // a service that only answers: the next one that runs executions resumes this one
        }

        Worker w;
        while (true)
        {
            w = _workers.GetOrAdd(arn, static _ => new Worker());
            lock (w.Gate)
            {
                if (w.Retired)
                {
                    continue; // its execution ended and it left the table just now: take a fresh one
                }

                w.InvokeNow |= invokeNow;
                if (retry is { } r)
                {
                    w.Failures = r.Failures;
                    w.RetryAt = r.At;
                }

                if (Volatile.Read(ref _state) != 1)
                {
                    return;
                }

                if (w.Running)
                {
                    w.Again = true;
                    return;
                }

                w.Running = true;
                w.Idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                break;
            }
        }

        var task = Task.Run(() => RunWorkerAsync(arn, w));
        _workerTasks.TryAdd(task, 0);
        _ = task.ContinueWith(t => _workerTasks.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunWorkerAsync(string arn, Worker w)
    {
        while (true)
        {
            var ended = false;
            try
            {
                ended = await PumpAsync(arn, w).ConfigureAwait(false);
                SignalIfEnded(arn);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (!_shutdown.IsCancellationRequested)
                {
                    _log.LogError(ex, "The local durable service could not advance execution {Arn}", arn);
                }
            }

            TaskCompletionSource idle;
            lock (w.Gate)
            {
                if (w.Again && !_shutdown.IsCancellationRequested)
                {
                    w.Again = false;
                    continue;
                }

                w.Running = false;
                if (ended)
                {
                    // The execution ended (or is gone): nothing will run for it again, so its worker leaves the table and
                    // the service holds nothing per ended execution.
                    w.Retired = true;
                    w.Timer?.Dispose();
                    w.Timer = null;
                    _workers.TryRemove(KeyValuePair.Create(arn, w));
                }
                else
                {
                    ArmTimer(arn, w);
                }

                idle = w.Idle;
            }

            idle.TrySetResult();
            return;
        }
    }

    /// <summary>
    /// Fires due timers and invokes the handler while there is a reason to (new execution, updates, a retry due); returns
    /// whether the execution has ended (or is gone).
    /// </summary>
    private async Task<bool> PumpAsync(string arn, Worker w)
    {
        while (!_shutdown.IsCancellationRequested)
        {
            ExecutionSnapshot snapshot;
            try
            {
                snapshot = Engine.GetExecution(arn);
            }
            catch (LocalEngineException ex) when (ex.StatusCode == 404)
            {
                return true; // purged
            }

            if (snapshot.Status != ExecutionStatus.Running)
            {
                CompleteChainedParentIfDone(arn); // e.g. it timed out while suspended
                return true;
            }

            while (Engine.FireNextTimer(arn))
            {
            }

            bool invokeNow;
            lock (w.Gate)
            {
                invokeNow = w.InvokeNow;
                w.InvokeNow = false;
                if (w.RetryAt is { } retryAt && retryAt <= _options.TimeProvider.GetUtcNow())
                {
                    invokeNow = true;
                    w.RetryAt = null;
                }
            }

            if (!invokeNow && !Engine.HasUpdatesSinceLastInvocation(arn))
            {
                return false;
            }

            var functionName = FunctionNameOf(snapshot.FunctionArn);
            if (!_functions.TryGetValue(functionName, out var handler))
            {
                _log.LogWarning("Execution {Arn} waits for function '{Function}', which is not registered.", arn, functionName);
                lock (w.Gate)
                {
                    w.InvokeNow |= invokeNow;
                }

                return false;
            }

            await InvokeOnceAsync(arn, handler, w).ConfigureAwait(false);
        }

        return false;
    }

    private async Task InvokeOnceAsync(string arn, FunctionInvoker handler, Worker w)
    {
        DurableExecutionInvocationInput input;
        try
        {
            input = await Engine.BeginInvocationAsync(arn).ConfigureAwait(false);
        }
        catch (LocalEngineException ex) when (ex.StatusCode == 409)
        {
            return; // stopped meanwhile
        }

        var requestId = Ids.RequestId();
        ICheckpointStore store = _options.InvokeOverHttp && _selfClient is not null ? _selfClient : _inProcessStore;
        try
        {
            var output = await handler(input, store, requestId, _shutdown.Token).ConfigureAwait(false);
            await Engine.EndInvocationAsync(arn, InvocationOutcome.Returned(output), requestId).ConfigureAwait(false);
            CompleteChainedParentIfDone(arn);
            w.Failures = 0;
            _log.LogDebug("Invocation {RequestId} of {Arn} returned {Status}", requestId, arn, output.Status);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // Shutting down: the invocation stays open; a restarted service records it as crashed and retries it.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var (type, message) = ex switch
            {
                FunctionInvocationException f => (f.ErrorType, f.Message),
                InvocationTerminatedException => ("Runtime.ExitError", $"{ex.GetType().FullName}: {ex.Message}"),
                _ => ("Runtime.Unhandled", $"{ex.GetType().FullName}: {ex.Message}"),
            };
            await Engine.EndInvocationAsync(arn, InvocationOutcome.Crashed(type, message), requestId).ConfigureAwait(false);
            w.Failures++;
            var next = w.Failures >= _options.MaxConsecutiveInvocationFailures ? "the execution is stopped" : $"retrying in {_options.InvocationRetryDelay.TotalSeconds:0.###} s";
            if (ex is FunctionInvocationException)
            {
                _log.LogWarning("Invocation {RequestId} of {Arn} failed ({Failures} in a row; {Next}): {ErrorType}: {Message}", requestId, arn, w.Failures, next, type, message);
            }
            else
            {
                _log.LogWarning(ex, "Invocation {RequestId} of {Arn} failed ({Failures} in a row; {Next})", requestId, arn, w.Failures, next);
            }

            if (w.Failures >= _options.MaxConsecutiveInvocationFailures)
            {
                try
                {
                    Engine.StopExecution(arn, new ErrorObject
                    {
                        ErrorType = "Runtime.InvocationFailures",
                        ErrorMessage = $"{w.Failures} consecutive invocations failed; the local durable service stopped the execution. Last error: {ex.Message}",
                    });
                    CompleteChainedParentIfDone(arn);
                }
                catch (LocalEngineException)
                {
                    // Already ended.
                }
            }
            else
            {
                lock (w.Gate)
                {
                    w.RetryAt = _options.TimeProvider.GetUtcNow() + _options.InvocationRetryDelay;
                }
            }
        }
    }

    /// <summary>Arms the worker's timer for the execution's next engine timer or invocation retry. Called under <c>w.Gate</c>.</summary>
    private void ArmTimer(string arn, Worker w)
    {
        w.Timer?.Dispose();
        w.Timer = null;
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        DateTimeOffset? due;
        try
        {
            due = Engine.NextTimerDue(arn);
        }
        catch (LocalEngineException)
        {
            return;
        }

        if (w.RetryAt is { } retry && (due is null || retry < due))
        {
            due = retry;
        }

        if (due is null)
        {
            return;
        }

        var delay = due.Value - _options.TimeProvider.GetUtcNow();
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }
        else if (delay > MaxTimerDelay)
        {
            delay = MaxTimerDelay; // re-armed when it fires; long system timers are not supported
        }

        w.Timer = _options.TimeProvider.CreateTimer(static s => ((TimerTarget)s!).Fire(), new TimerTarget(this, arn), delay, Timeout.InfiniteTimeSpan);
    }

    private sealed class TimerTarget(LocalDurableService service, string arn)
    {
        public void Fire() => service.Kick(arn, invokeNow: false);
    }

    private sealed class Worker
    {
        public object Gate { get; } = new();

        public bool Running { get; set; }

        public bool Again { get; set; }

        /// <summary>Its execution ended and it left the worker table; a later kick takes a new worker.</summary>
        public bool Retired { get; set; }

        public bool InvokeNow { get; set; }

        public int Failures { get; set; }

        public DateTimeOffset? RetryAt { get; set; }

        public ITimer? Timer { get; set; }

        public TaskCompletionSource Idle { get; set; } = CompletedSource();

        private static TaskCompletionSource CompletedSource()
        {
            var tcs = new TaskCompletionSource();
            tcs.SetResult();
            return tcs;
        }
    }
}
