using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Testing;

/// <summary>One log line captured by the local test runner.</summary>
/// <param name="Sequence">The line's position across the whole run.</param>
/// <param name="Level">The level.</param>
/// <param name="Category">The logger category.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Properties">Scope values (execution ARN, operation id and name, attempt).</param>
/// <param name="Exception">The exception, if one was logged.</param>
public sealed record CapturedLog(long Sequence, LogLevel Level, string Category, string Message, IReadOnlyDictionary<string, object?> Properties, Exception? Exception)
{
    /// <summary>The line as a structured JSON record (<c>level</c>, <c>message</c>, <c>category</c> and the scope values).</summary>
    /// <returns>The record.</returns>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["level"] = Level.ToString().ToUpperInvariant(),
            ["message"] = Message,
            ["category"] = Category,
        };
        foreach (var (k, v) in Properties)
        {
            o[k] = v switch
            {
                null => null,
                int i => i,
                long l => l,
                double d => d,
                bool b => b,
                _ => v.ToString(),
            };
        }

        return o;
    }
}

/// <summary>An <see cref="ILoggerProvider"/> that keeps every line in memory, with the values of enclosing scopes.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    private long _sequence;

    /// <summary>The captured lines, in order.</summary>
    public IReadOnlyList<CapturedLog> Lines => _lines.ToArray();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    /// <summary>
    /// Records a structured line as a program would print one JSON object to standard output (category <c>stdout</c>):
    /// its fields become the record's top-level fields. It takes its place in the same sequence as logger lines.
    /// </summary>
    /// <param name="fields">The record's fields (strings, numbers, booleans or null).</param>
    public void WriteRecord(IReadOnlyDictionary<string, object?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _lines.Enqueue(new CapturedLog(Interlocked.Increment(ref _sequence), LogLevel.Information, "stdout", string.Empty, new Dictionary<string, object?>(fields, StringComparer.Ordinal), null));
    }

    /// <inheritdoc />
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
            => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var props = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner._scopes.ForEachScope(
                static (scope, p) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (k, v) in pairs)
                        {
                            p[k] = v;
                        }
                    }
                },
                props);
            owner._lines.Enqueue(new CapturedLog(Interlocked.Increment(ref owner._sequence), logLevel, category, formatter(state, exception), props, exception));
        }
    }
}
