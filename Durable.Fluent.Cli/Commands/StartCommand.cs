using System.CommandLine;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Cli.Output;

namespace Durable.Fluent.Cli.Commands;

/// <summary>
/// <c>durable start &lt;function&gt;</c>: starts an execution the way AWS does (Lambda Invoke, <c>Event</c>, with the
/// execution name), prints its ARN; with <c>--wait</c> follows it to the end with a progress line and prints its result.
/// </summary>
internal static class StartCommand
{
    public static Command Create(CliConsole console)
    {
        var function = new Argument<string>("function") { Description = "The function to start (name, name:qualifier or ARN)." };
        var input = new Option<string?>("--input", "-i") { Description = "The execution input, as JSON.", HelpName = "json" };
        var inputFile = new Option<string?>("--input-file") { Description = "Read the input from a file ('-' for standard input).", HelpName = "path" };
        var name = new Option<string?>("--name", "-n") { Description = "The execution name (1–64 of [a-zA-Z0-9-_]): the idempotency key. Generated when omitted." };
        var qualifier = new Option<string?>("--qualifier") { Description = "A version or alias (default $LATEST)." };
        var tenant = new Option<string?>("--tenant-id") { Description = "The tenant to run the execution for (X-Amz-Tenant-Id, 1–256 characters).", HelpName = "id" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait for the execution to end, showing its progress; print its result. Exit code 1 unless it succeeded." };
        var timeout = new Option<int?>("--wait-timeout") { Description = "With --wait: give up waiting after this many seconds (exit code 1; the execution goes on).", HelpName = "seconds" };
        var json = new Option<bool>("--json") { Description = "Print the ARN (and with --wait the execution) as JSON." };
        var connection = new ServiceConnection();
        var command = new Command("start", "Start an execution of a durable function.") { function, input, inputFile, name, qualifier, tenant, wait, timeout, json };
        connection.AddTo(command);
        CommandActions.Set(command, console, async (parse, ct) =>
        {
            var payload = JsonText.TextOrFile(parse.GetValue(input), parse.GetValue(inputFile), "--input", "--input-file");
            if (payload is not null)
            {
                JsonText.Require(payload, "The input");
            }

            if (parse.GetValue(timeout) is <= 0)
            {
                throw new UsageException("--wait-timeout must be a positive number of seconds.");
            }

            using var client = connection.CreateClient(parse);
            var arn = await client.StartDurableExecutionAsync(parse.GetRequiredValue(function), payload, parse.GetValue(name), parse.GetValue(qualifier), parse.GetValue(tenant), ct).ConfigureAwait(false);
            if (!parse.GetValue(wait))
            {
                console.Out.WriteLine(parse.GetValue(json) ? JsonText.Serialize(new GetDurableExecutionResponse { DurableExecutionArn = arn }) : arn);
                return ExitCodes.Ok;
            }

            if (!parse.GetValue(json))
            {
                console.Error.WriteLine($"Started {arn}");
            }

            var limit = parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            var execution = await ExecutionWatcher.WaitForEndAsync(console, client, arn, limit, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonText.Serialize(execution));
            }
            else
            {
                ExecutionWatcher.PrintOutcome(console, execution);
            }

            return execution.Status == Wire.ExecutionStatus.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
