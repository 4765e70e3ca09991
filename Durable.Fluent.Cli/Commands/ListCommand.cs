using System.CommandLine;
using System.Globalization;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Cli.Output;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Cli.Commands;

/// <summary><c>durable list &lt;function&gt;</c>: ListDurableExecutionsByFunction with all of its filters, every page.</summary>
internal static class ListCommand
{
    public static Command Create(CliConsole console)
    {
        var function = new Argument<string>("function") { Description = "The function whose executions to list (name or ARN)." };
        var statuses = new Option<string[]>("--status", "-s")
        {
            Description = "Only executions in these statuses: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, STOPPED (repeat the option or list several).",
            AllowMultipleArgumentsPerToken = true,
        };
        var name = new Option<string?>("--name", "-n") { Description = "Only the execution with this name." };
        var qualifier = new Option<string?>("--qualifier") { Description = "Only executions of this version or alias." };
        var after = new Option<DateTimeOffset?>("--started-after") { Description = "Only executions started after this time (ISO 8601, e.g. 2026-05-01T12:00:00Z).", CustomParser = Timestamp, HelpName = "time" };
        var before = new Option<DateTimeOffset?>("--started-before") { Description = "Only executions started before this time (ISO 8601).", CustomParser = Timestamp, HelpName = "time" };
        var reverse = new Option<bool>("--reverse") { Description = "Newest first." };
        var maxItems = new Option<int?>("--max-items") { Description = "At most this many executions (default: all, page by page).", HelpName = "n" };
        var json = new Option<bool>("--json") { Description = "Print the ListDurableExecutionsByFunction response JSON (all pages in one)." };
        var connection = new ServiceConnection();
        var command = new Command("list", "List the executions of a function.") { function, statuses, name, qualifier, after, before, reverse, maxItems, json };
        connection.AddTo(command);
        CommandActions.Set(command, console, async (parse, ct) =>
        {
            var wanted = parse.GetValue(statuses) ?? [];
            var parsed = new List<ExecutionStatus>();
            foreach (var s in wanted.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                parsed.Add(UpperSnakeEnumConverter<ExecutionStatus>.TryParse(s.ToUpperInvariant().Replace('-', '_'), out var status)
                    ? status
                    : throw new UsageException($"--status '{s}' is not RUNNING, SUCCEEDED, FAILED, TIMED_OUT or STOPPED."));
            }

            var max = parse.GetValue(maxItems);
            if (max is <= 0)
            {
                throw new UsageException("--max-items must be a positive number.");
            }

            using var client = connection.CreateClient(parse);
            var all = new List<DurableExecutionSummary>();
            string? marker = null;
            do
            {
                var page = await client.ListDurableExecutionsByFunctionAsync(
                    parse.GetRequiredValue(function),
                    new ListDurableExecutionsByFunctionQuery
                    {
                        Statuses = parsed.Count > 0 ? parsed : null,
                        DurableExecutionName = parse.GetValue(name),
                        Qualifier = parse.GetValue(qualifier),
                        StartedAfter = parse.GetValue(after),
                        StartedBefore = parse.GetValue(before),
                        ReverseOrder = parse.GetValue(reverse) ? true : null,
                        Marker = marker,
                        MaxItems = Math.Min(1000, max is { } m ? m - all.Count : 1000),
                    },
                    ct).ConfigureAwait(false);
                all.AddRange(page.DurableExecutions);
                marker = page.NextMarker;
            }
            while (!string.IsNullOrEmpty(marker) && (max is null || all.Count < max));

            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonText.Serialize(new ListDurableExecutionsByFunctionResponse { DurableExecutions = all, NextMarker = marker }));
                return ExitCodes.Ok;
            }

            var rows = all.Select(e => new[]
            {
                e.DurableExecutionName ?? string.Empty,
                UpperSnakeEnumConverter<ExecutionStatus>.ToToken(e.Status),
                Local(e.StartTimestamp),
                Local(e.EndTimestamp),
                e.DurableExecutionArn ?? string.Empty,
            }).ToList();
            TableWriter.Write(console.Out, ["NAME", "STATUS", "STARTED", "ENDED", "ARN"], rows);
            console.Out.WriteLine($"{all.Count} execution(s){(string.IsNullOrEmpty(marker) ? string.Empty : " (more: raise --max-items)")}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Local(DateTimeOffset? t)
        => t is { } v ? TimeZoneInfo.ConvertTime(v, TimeZoneInfo.Local).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    private static DateTimeOffset? Timestamp(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return t;
        }

        result.AddError($"'{text}' is not a time: use ISO 8601, for example 2026-05-01T12:00:00Z.");
        return null;
    }
}
