using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Testing;

/// <summary>A minimal logger factory writing to a fixed set of providers at or above a minimum level.</summary>
internal sealed class FanOutLoggerFactory(IReadOnlyList<ILoggerProvider> providers, LogLevel minimum) : ILoggerFactory
{
    private readonly LoggerExternalScopeProvider _scopes = new();

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("Pass providers through DurableTestRunnerOptions.LoggerProviders.");

    public ILogger CreateLogger(string categoryName)
    {
        foreach (var p in providers)
        {
            if (p is ISupportExternalScope s)
            {
                s.SetScopeProvider(_scopes);
            }
        }

        return new FanOutLogger(providers.Select(p => p.CreateLogger(categoryName)).ToArray(), minimum, _scopes);
    }

    public void Dispose()
    {
    }

    private sealed class FanOutLogger(ILogger[] loggers, LogLevel minimum, LoggerExternalScopeProvider scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
            => scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            foreach (var l in loggers)
            {
                l.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
