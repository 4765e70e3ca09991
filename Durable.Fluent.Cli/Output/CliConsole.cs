namespace Durable.Fluent.Cli.Output;

/// <summary>Where a command writes: standard output for results, standard error for errors and progress.</summary>
internal sealed class CliConsole
{
    /// <summary>Creates a console over two writers (tests pass <see cref="StringWriter"/>s); both are made thread-safe.</summary>
    /// <param name="output">Results.</param>
    /// <param name="error">Errors, warnings and progress lines.</param>
    /// <param name="errorIsTerminal">Whether <paramref name="error"/> is a terminal, so a progress line can be redrawn in place.</param>
    /// <param name="time">The clock for polling and elapsed times.</param>
    public CliConsole(TextWriter output, TextWriter error, bool errorIsTerminal = false, TimeProvider? time = null)
    {
        Out = TextWriter.Synchronized(output);
        Error = TextWriter.Synchronized(error);
        ErrorIsTerminal = errorIsTerminal;
        Time = time ?? TimeProvider.System;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public bool ErrorIsTerminal { get; }

    public TimeProvider Time { get; }

    /// <summary>The process's own standard output and error.</summary>
    public static CliConsole CreateSystem() => new(Console.Out, Console.Error, errorIsTerminal: !Console.IsErrorRedirected);
}
