using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Durable.Fluent;

/// <summary>Options of one invocation: the clock, logging and the invocation's request id.</summary>
public sealed record DurableRunOptions
{
    /// <summary>The defaults: system clock, no logging.</summary>
    public static DurableRunOptions Default { get; } = new();

    /// <summary>The clock. The local test runner passes its virtual clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where step and workflow loggers write.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// What the replay-aware <see cref="WorkflowContext.Logger"/> does with lines written during replay: dropped (the
    /// default), logged only for bodies that really run again, or all logged. See <see cref="Fluent.ReplayLogMode"/>.
    /// </summary>
    public ReplayLogMode ReplayLogMode { get; init; } = ReplayLogMode.DropWhileReplaying;

    /// <summary>The Lambda request id of this invocation, if known (step bodies read it as <c>ctx.Invocation.RequestId</c>).</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// When this invocation times out, if known — the Lambda runtime API's <c>Lambda-Runtime-Deadline-Ms</c>, or
    /// <c>ILambdaContext.RemainingTime</c> added to now. Step bodies read <c>ctx.Invocation.RemainingTime</c>.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>
    /// The services step bodies get as <see cref="StepContext.Services"/>. The invocation creates one scope from it (when
    /// it supports scopes: <c>IServiceScopeFactory</c>) and disposes that scope when the invocation ends, so scoped services
    /// (a DbContext, an HTTP client handler) live for exactly one invocation while the definition stays static.
    /// </summary>
    public IServiceProvider? Services { get; init; }

    /// <summary>The maximum number of operations per execution (3,000, the service quota).</summary>
    public int MaxOperations { get; init; } = 3000;

    /// <summary>
    /// Payload offload for this host: payloads above the threshold go to the store and checkpoints keep a reference. Wins
    /// over <see cref="WorkflowOptions.PayloadOffload"/>. Null (the default) leaves it to the workflow's options.
    /// </summary>
    public Payloads.PayloadOffloadOptions? PayloadOffload { get; init; }

    /// <summary>Plugins of this host, added to the workflow's own <see cref="WorkflowOptions.Plugins"/>.</summary>
    public IReadOnlyList<Plugins.IDurablePlugin> Plugins { get; init; } = [];

    /// <summary>Test hook: runs just before each step body (the local runner uses it to simulate crashes).</summary>
    internal Action<StepContext>? BeforeStepBody { get; init; }

    /// <summary>
    /// Test hook: the batcher's <c>LingerYieldCap</c> for this invocation (null keeps its default). On a clock that does not
    /// move, a sending lane waits for its running siblings only this many yields; tests that count how many requests
    /// concurrent lanes share raise it, so the count does not depend on how fast a loaded machine schedules the siblings.
    /// </summary>
    internal int? LingerYieldCap { get; init; }
}
