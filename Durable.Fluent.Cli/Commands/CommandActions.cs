using System.CommandLine;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Cli.Output;
using Durable.Fluent.LocalService;

namespace Durable.Fluent.Cli.Commands;

/// <summary>
/// Runs a command's body and turns what it throws into the exit codes and messages a terminal user expects: the AWS error
/// type and message of a refused request, a plain sentence for anything else, never a stack trace.
/// </summary>
internal static class CommandActions
{
    public static void Set(Command command, CliConsole console, Func<ParseResult, CancellationToken, Task<int>> body)
        => command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await body(parse, cancellationToken).ConfigureAwait(false);
            }
            catch (UsageException ex)
            {
                console.Error.WriteLine($"error: {ex.Message}");
                console.Error.WriteLine($"Run '{Path(command)} --help' for usage.");
                return ExitCodes.Usage;
            }
            catch (CommandFailedException ex)
            {
                console.Error.WriteLine(ex.Message);
                return ExitCodes.Failed;
            }
            catch (CheckpointException ex)
            {
                console.Error.WriteLine(Describe(ex));
                return ExitCodes.Failed;
            }
            catch (LocalStoreException ex)
            {
                console.Error.WriteLine($"{nameof(LocalStoreException)}: {ex.Message}");
                return ExitCodes.Failed;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                console.Error.WriteLine("Cancelled.");
                return 130;
            }
        });

    /// <summary>An AWS error as <c>ErrorType: message</c>; a service that cannot be reached as a sentence that says what to check.</summary>
    public static string Describe(CheckpointException ex) => ex switch
    {
        { StatusCode: 0, ErrorCode: null } => $"Could not reach the service. {ex.Message} Is 'durable serve' running there, or is --endpoint right?",
        { ErrorCode: { Length: > 0 } code } => $"{code}: {ex.Message}",
        _ => $"HTTP {ex.StatusCode}: {ex.Message}",
    };

    private static string Path(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is not null; s = s.Parents.FirstOrDefault())
        {
            names.Add(s is RootCommand ? "durable" : s.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
