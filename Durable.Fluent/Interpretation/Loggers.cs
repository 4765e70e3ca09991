using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// The context logger of orchestration code (<see cref="WorkflowContext.Logger"/>). While the interpreter replays recorded
/// operations it applies the run's <see cref="ReplayLogMode"/>: by default lines are dropped so replays do not repeat them.
/// Every line carries the execution ARN and, inside a child context, the context's operation id (<c>parentId</c>).
/// </summary>
internal sealed class ReplayAwareLogger(ILogger inner, ExecutionRun run, string? parentId) : ILogger
{
    /// <summary>Set while a context re-runs only to rebuild a result too large for its checkpoint (flows into its branches).</summary>
    private static readonly AsyncLocal<bool> Rebuilding = new();

    /// <summary>Marks the current flow (and the tasks it starts) as a re-executed large-result context body.</summary>
    public static void EnterRebuild() => Rebuilding.Value = true;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
        => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => !Drops() && inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (Drops())
        {
            return;
        }

        var scope = new Dictionary<string, object?> { ["durableExecutionArn"] = run.Arn };
        if (parentId is not null)
        {
            scope["parentId"] = parentId;
        }

        if (run.IsReplaying)
        {
            scope["isReplaying"] = true;
        }

        if (Rebuilding.Value)
        {
            scope["replayingChildren"] = true;
        }

        using var s = inner.BeginScope(scope);
        inner.Log(logLevel, eventId, state, exception, formatter);
    }

    private bool Drops() => run.IsReplaying && run.RunOptions.ReplayLogMode switch
    {
        ReplayLogMode.LogAll => false,
        ReplayLogMode.LogReExecutedContexts => !Rebuilding.Value,
        _ => true,
    };
}

/// <summary>A step's logger: every line carries the execution ARN, operation id, name and attempt as scope values.</summary>
internal sealed class OperationLogger : ILogger
{
    private readonly ILogger _inner;
    private readonly string? _arn;
    private readonly string? _operationId;
    private readonly string? _operationName;
    private readonly int _attempt;
    private IReadOnlyDictionary<string, object?>? _scope;

    public OperationLogger(ILogger inner, IReadOnlyDictionary<string, object?> scope)
    {
        _inner = inner;
        _scope = scope;
    }

    /// <summary>A step's logger whose scope values are only materialized when a line is written (most steps log nothing).</summary>
    public OperationLogger(ILogger inner, string arn, string operationId, string? operationName, int attempt)
    {
        _inner = inner;
        _arn = arn;
        _operationId = operationId;
        _operationName = operationName;
        _attempt = attempt;
    }

    private IReadOnlyDictionary<string, object?> Scope => _scope ??= new Dictionary<string, object?>
    {
        ["durableExecutionArn"] = _arn,
        ["operationId"] = _operationId,
        ["operationName"] = _operationName,
        ["attempt"] = _attempt,
    };

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
        => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        using var s = _inner.BeginScope(Scope);
        _inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
