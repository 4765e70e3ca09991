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
internal sealed class OperationLogger(ILogger inner, IReadOnlyDictionary<string, object?> scope) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
        => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        using var s = inner.BeginScope(scope);
        inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
