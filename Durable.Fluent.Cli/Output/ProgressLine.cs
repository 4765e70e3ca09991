namespace Durable.Fluent.Cli.Output;

/// <summary>
/// A status line on standard error while a command waits (an execution to end, new history events). On a terminal it is
/// redrawn in place; otherwise (a pipe, a log file, a test) a line is written only when its <c>key</c> changes, so the
/// ticking elapsed time does not flood the output.
/// </summary>
internal sealed class ProgressLine(CliConsole console)
{
    private string? _lastKey;
    private int _width;

    public void Update(string key, string text)
    {
        if (console.ErrorIsTerminal)
        {
            console.Error.Write("\r" + text.PadRight(_width));
            console.Error.Flush();
            _width = text.Length;
        }
        else if (key != _lastKey)
        {
            console.Error.WriteLine(text);
        }

        _lastKey = key;
    }

    /// <summary>Removes the line (on a terminal) before other output is written.</summary>
    public void Clear()
    {
        if (console.ErrorIsTerminal && _width > 0)
        {
            console.Error.Write("\r" + new string(' ', _width) + "\r");
            console.Error.Flush();
            _width = 0;
        }
    }
}
