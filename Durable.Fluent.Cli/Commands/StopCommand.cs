using System.CommandLine;
using System.Globalization;
using Durable.Fluent.Cli.Output;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Cli.Commands;

/// <summary><c>durable stop &lt;execution&gt;</c>: StopDurableExecution, optionally with an error to record.</summary>
internal static class StopCommand
{
    public static Command Create(CliConsole console)
    {
        var target = new ExecutionArgument();
        var errorType = new Option<string?>("--error-type") { Description = "The error type to record." };
        var errorMessage = new Option<string?>("--error-message", "-m") { Description = "The error message to record." };
        var connection = new ServiceConnection();
        var command = new Command("stop", "Stop a running execution.") { errorType, errorMessage };
        target.AddTo(command);
        connection.AddTo(command);
        CommandActions.Set(command, console, async (parse, ct) =>
        {
            using var client = connection.CreateClient(parse);
            var arn = await target.ResolveAsync(parse, client, ct).ConfigureAwait(false);
            var type = parse.GetValue(errorType);
            var message = parse.GetValue(errorMessage);
            var error = type is null && message is null ? null : new ErrorObject { ErrorType = type, ErrorMessage = message };
            var stopped = await client.StopDurableExecutionAsync(arn, error, ct).ConfigureAwait(false);
            var at = stopped.StopTimestamp is { } t ? " at " + TimeZoneInfo.ConvertTime(t, TimeZoneInfo.Local).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : string.Empty;
            console.Out.WriteLine($"Stopped {arn}{at}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
