using System.CommandLine;
using System.Text;
using Durable.Fluent.Cli.Output;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Cli.Commands;

/// <summary><c>durable callback succeed|fail|heartbeat &lt;callback-id&gt;</c>: answers a callback an execution waits on.</summary>
internal static class CallbackCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("callback", "Answer a callback: succeed, fail or heartbeat.");
        command.Add(Succeed(console));
        command.Add(Fail(console));
        command.Add(Heartbeat(console));
        return command;
    }

    private static Command Succeed(CliConsole console)
    {
        var id = CallbackId();
        var result = new Option<string?>("--result", "-r") { Description = "The result (typically JSON; sent as is, UTF-8, at most 256 KiB).", HelpName = "text" };
        var resultFile = new Option<string?>("--result-file") { Description = "Read the result from a file ('-' for standard input).", HelpName = "path" };
        var connection = new ServiceConnection();
        var command = new Command("succeed", "Complete a callback with a result (SendDurableExecutionCallbackSuccess).") { id, result, resultFile };
        connection.AddTo(command);
        CommandActions.Set(command, console, async (parse, ct) =>
        {
            var text = JsonText.TextOrFile(parse.GetValue(result), parse.GetValue(resultFile), "--result", "--result-file") ?? string.Empty;
            var bytes = Encoding.UTF8.GetBytes(text);
            if (bytes.Length > Checkpointing.Http.LambdaDurableExecutionClient.MaxCallbackResultBytes)
            {
                throw new UsageException($"The result is {bytes.Length} bytes; a callback result is at most {Checkpointing.Http.LambdaDurableExecutionClient.MaxCallbackResultBytes}.");
            }

            using var client = connection.CreateClient(parse);
            await client.SendCallbackSuccessAsync(parse.GetRequiredValue(id), bytes, ct).ConfigureAwait(false);
            console.Out.WriteLine($"Callback {parse.GetRequiredValue(id)} succeeded.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Fail(CliConsole console)
    {
        var id = CallbackId();
        var errorType = new Option<string?>("--error-type") { Description = "The error type (default CallbackFailed)." };
        var errorMessage = new Option<string?>("--error-message", "-m") { Description = "The error message." };
        var errorData = new Option<string?>("--error-data") { Description = "Machine-readable error data (text, typically JSON)." };
        var connection = new ServiceConnection();
        var command = new Command("fail", "Complete a callback with an error (SendDurableExecutionCallbackFailure).") { id, errorType, errorMessage, errorData };
        connection.AddTo(command);
        CommandActions.Set(command, console, async (parse, ct) =>
        {
            using var client = connection.CreateClient(parse);
            var error = new ErrorObject
            {
                ErrorType = parse.GetValue(errorType) ?? "CallbackFailed",
                ErrorMessage = parse.GetValue(errorMessage),
                ErrorData = parse.GetValue(errorData),
            };
            await client.SendCallbackFailureAsync(parse.GetRequiredValue(id), error, ct).ConfigureAwait(false);
            console.Out.WriteLine($"Callback {parse.GetRequiredValue(id)} failed with {error.ErrorType}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Heartbeat(CliConsole console)
    {
        var id = CallbackId();
        var connection = new ServiceConnection();
        var command = new Command("heartbeat", "Tell the service the callback's answer is still coming (SendDurableExecutionCallbackHeartbeat).") { id };
        connection.AddTo(command);
        CommandActions.Set(command, console, async (parse, ct) =>
        {
            using var client = connection.CreateClient(parse);
            await client.SendCallbackHeartbeatAsync(parse.GetRequiredValue(id), ct).ConfigureAwait(false);
            console.Out.WriteLine($"Heartbeat sent for callback {parse.GetRequiredValue(id)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Argument<string> CallbackId() => new("callback-id") { Description = "The callback id (the history prints it with the callback's creation)." };
}
