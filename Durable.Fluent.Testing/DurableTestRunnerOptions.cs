using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Testing;

/// <summary>Options of the <see cref="DurableTestRunner"/>.</summary>
public sealed record DurableTestRunnerOptions
{
    /// <summary>The function name used in ARNs (default <c>durable-function</c>).</summary>
    public string FunctionName { get; init; } = "durable-function";

    /// <summary>
    /// The execution timeout in seconds — set it to your function's <c>DurableConfig.ExecutionTimeout</c> (1–31,622,400;
    /// default 31,622,400, the longest the service allows). It is recorded on ExecutionStarted and enforced on the virtual
    /// clock: when it passes before the execution ends, the execution ends TIMED_OUT with an <c>ExecutionTimedOut</c> event,
    /// whether it was suspended or an invocation was running (that invocation's next checkpoint is refused). The runner moves
    /// the clock to the deadline only on its way to a later trigger; an execution that waits on the outside world (an open
    /// callback nobody answers) stays RUNNING until the test sends something or advances <see cref="DurableTestRunner.Clock"/>
    /// past the deadline.
    /// </summary>
    public int ExecutionTimeoutSeconds { get; init; } = Engine.LocalDurableEngine.MaxExecutionTimeoutSeconds;

    /// <summary>
    /// Safety net: the most handler invocations one execution may take before the runner stops it with an error (default 10,000).
    /// </summary>
    public int MaxInvocations { get; init; } = 10_000;

    /// <summary>Consecutive crashed invocations after which the execution fails, as the service does (default 5).</summary>
    public int MaxConsecutiveInvocationFailures { get; init; } = 5;

    /// <summary>
    /// Crash injection: called just before each step body runs (after its START is recorded for at-most-once steps). Return
    /// <see langword="true"/> to end the invocation there as if the process exited (<c>Runtime.ExitError</c>).
    /// </summary>
    public Func<StepContext, bool>? CrashBeforeStep { get; init; }

    /// <summary>Extra logger providers (captured lines are always available from <see cref="DurableTestRunner.Logs"/>).</summary>
    public IReadOnlyList<ILoggerProvider> LoggerProviders { get; init; } = [];

    /// <summary>
    /// Callback answers declared up front (played in order, per history-events §4.3): for each new CallbackStarted, the first
    /// unused responder whose name matches is scheduled after its delay; a heartbeat is sent and the next matching responder is
    /// considered too. A callback no responder matches is left open (its timeouts run on the virtual clock).
    /// </summary>
    public IReadOnlyList<CallbackResponder> CallbackResponders { get; init; } = [];

    /// <summary>What the replay-aware workflow logger does with lines written during replay (default: drop them).</summary>
    public ReplayLogMode ReplayLogMode { get; init; } = ReplayLogMode.DropWhileReplaying;

    /// <summary>Payload offload for every invocation the runner makes (wins over the workflow's own <see cref="WorkflowOptions.PayloadOffload"/>).</summary>
    public Payloads.PayloadOffloadOptions? PayloadOffload { get; init; }

    /// <summary>Plugins added to every invocation the runner makes.</summary>
    public IReadOnlyList<Plugins.IDurablePlugin> Plugins { get; init; } = [];

    /// <summary>
    /// The services step bodies get as <see cref="StepContext.Services"/> — substitute fakes here. As on Lambda, each
    /// invocation gets its own scope (when the provider supports scopes), disposed when the invocation ends.
    /// </summary>
    public IServiceProvider? Services { get; init; }

    /// <summary>
    /// The function timeout each invocation gets on the virtual clock: step bodies see
    /// <c>ctx.Invocation.RemainingTime</c> count down from it (default 15 minutes, Lambda's maximum); <see langword="null"/>
    /// leaves the deadline unknown.
    /// </summary>
    public TimeSpan? InvocationTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Minimum level of captured log lines (default <see cref="LogLevel.Trace"/>).</summary>
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Trace;

    /// <summary>
    /// Test hook, passed to <see cref="DurableRunOptions"/>: how many yields a sending lane waits for its running siblings
    /// on the runner's clock (which does not move while the bodies run). Null keeps the batcher's default; request-count
    /// tests raise it so that concurrent lanes share requests however a loaded machine schedules them.
    /// </summary>
    internal int? LingerYieldCap { get; init; }
}
