using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Cli.Output;

/// <summary>
/// The log of <c>durable serve</c>: the service's and the workflows' log lines, one per line on standard output, with the
/// local time and level (exceptions on the lines after, indented).
/// </summary>
internal sealed class ConsoleLoggerFactory(CliConsole console, LogLevel minimum) : ILoggerFactory
{
    private LogLevel Minimum => minimum;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message, Exception? exception)
    {
        var time = TimeZoneInfo.ConvertTime(console.Time.GetUtcNow(), console.Time.LocalTimeZone).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var text = $"[{time}] {Level(level)} {message}";
        if (exception is not null)
        {
            text += Environment.NewLine + "        " + exception.GetType().Name + ": " + exception.Message;
        }

        console.Out.WriteLine(text);
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private sealed class Logger(ConsoleLoggerFactory factory) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= factory.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                factory.Write(logLevel, formatter(state, exception), exception);
            }
        }
    }
}
