using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Interpretation;

/// <summary>Drops log lines while the interpreter replays recorded operations, so replays do not repeat them.</summary>
internal sealed class ReplayAwareLogger(ILogger inner, ExecutionRun run) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
        => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => !run.IsReplaying && inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (run.IsReplaying)
        {
            return;
        }

        using var scope = inner.BeginScope(new Dictionary<string, object?> { ["durableExecutionArn"] = run.Arn });
        inner.Log(logLevel, eventId, state, exception, formatter);
    }
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
