using System.CommandLine;
using System.Text.Json;
using Durable.Fluent.Cli.Loading;
using Durable.Fluent.Cli.Output;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Cli.Commands;

/// <summary>
/// The commands over a workflow definition loaded from an assembly: <c>durable graph</c> (its Mermaid flowchart or text
/// outline) and <c>durable replay</c> (does it still replay an exported history?).
/// </summary>
internal static class DefinitionCommands
{
    public static Command Graph(CliConsole console)
    {
        var (assembly, workflow) = DefinitionOptions();
        var format = new Option<string>("--format") { Description = "mermaid (a flowchart, the default) or text (an indented outline).", DefaultValueFactory = _ => "mermaid" };
        format.AcceptOnlyFromAmong("mermaid", "text");
        var command = new Command("graph", "Print a workflow definition as a Mermaid flowchart (or a text outline).") { assembly, workflow, format };
        CommandActions.Set(command, console, (parse, _) =>
        {
            var loaded = WorkflowCatalog.Load(parse.GetValue(assembly) ?? []).Single(parse.GetValue(workflow)).Load();
            console.Out.Write(parse.GetValue(format) == "text" ? loaded.Describe() : loaded.ToMermaid());
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    public static Command Replay(CliConsole console)
    {
        var (assembly, workflow) = DefinitionOptions();
        var history = new Argument<string>("history") { Description = "The exported history: 'durable history <execution> --json' output, or any GetDurableExecutionHistory JSON ('-' for standard input)." };
        var command = new Command("replay", "Check that a workflow definition replays an exported history (exit code 1 when it does not).") { history, assembly, workflow };
        CommandActions.Set(command, console, async (parse, ct) =>
        {
            var path = parse.GetRequiredValue(history);
            var json = JsonText.TextOrFile(null, path, "history", "history");
            var loaded = WorkflowCatalog.Load(parse.GetValue(assembly) ?? []).Single(parse.GetValue(workflow)).Load();
            Testing.ReplayCheckResult result;
            try
            {
                result = await loaded.ReplayAsync(json!, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException)
            {
                throw new CommandFailedException($"{path} is not an exported history: {ex.Message}");
            }

            if (!result.Compatible)
            {
                console.Error.WriteLine($"NOT COMPATIBLE: {loaded.Name} does not replay {path}.");
                console.Error.WriteLine($"  {result.Problem}");
                return ExitCodes.Failed;
            }

            console.Out.WriteLine($"Compatible: {loaded.Name} replays the {result.RecordedOperations} recorded operation(s) of {path}.");
            if (result.ReachedNewWork is { } next)
            {
                console.Out.WriteLine($"  Past the record it would run next: {next}.");
            }
            else if (result.Outcome is { } outcome)
            {
                console.Out.WriteLine($"  The replay reaches the recorded end: {UpperSnakeEnumConverter<InvocationStatus>.ToToken(outcome)}{(result.Error is { } e ? $" ({e.ErrorType}: {e.ErrorMessage})" : string.Empty)}.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static (Option<string[]> Assembly, Option<string?> Workflow) DefinitionOptions()
    {
        var assembly = new Option<string[]>("--assembly", "-a")
        {
            Description = "The .NET assembly (.dll) that defines the workflow (build it first).",
            Required = true,
            HelpName = "path",
        };
        var workflow = new Option<string?>("--workflow", "-w")
        {
            Description = "Which workflow, when the assembly has several: a [DurableFunction] name or a static member (Namespace.Type.Member).",
        };
        return (assembly, workflow);
    }
}
