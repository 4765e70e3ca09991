using System.CommandLine;
using Durable.Fluent.Cli.Commands;
using Durable.Fluent.Cli.Output;

namespace Durable.Fluent.Cli;

/// <summary>
/// The <c>durable</c> command line: <c>serve</c> runs the local durable service; <c>start</c>, <c>list</c>,
/// <c>history</c>, <c>callback</c> and <c>stop</c> call a durable execution REST API (the local service, or AWS);
/// <c>graph</c> and <c>replay</c> work on a workflow definition loaded from an assembly. Exit codes: 0 done, 1 the operation
/// failed, 2 the command line is wrong.
/// </summary>
internal static class DurableCli
{
    public static RootCommand Build(CliConsole console) => new("durable — the Durable.Fluent local durable service and durable execution API from a terminal.")
    {
        ServeCommand.Create(console),
        StartCommand.Create(console),
        ListCommand.Create(console),
        HistoryCommand.Create(console),
        CallbackCommand.Create(console),
        StopCommand.Create(console),
        DefinitionCommands.Graph(console),
        DefinitionCommands.Replay(console),
    };

    /// <summary>Parses and runs a command line; usage errors are reported here (exit code 2) before anything runs.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var root = Build(console);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine($"error: {error.Message}");
            }

            var command = parse.CommandResult.Command;
            var path = string.Join(' ', Names(command));
            var synopsis = string.Join(' ', new[] { path }
                .Concat(command.Subcommands.Count > 0 ? ["<command>"] : [])
                .Concat(command.Arguments.Select(a => $"<{a.Name}>"))
                .Append("[options]"));
            console.Error.WriteLine($"Usage: {synopsis}");
            console.Error.WriteLine($"Run '{path} --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<string> Names(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is not null; s = s.Parents.FirstOrDefault())
        {
            names.Add(s is RootCommand ? "durable" : s.Name);
        }

        names.Reverse();
        return names;
    }
}
