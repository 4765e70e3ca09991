using System.CommandLine;
using System.Globalization;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Cli.Output;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Cli.Commands;

/// <summary>
/// <c>durable history &lt;execution&gt;</c>: the execution's history events (every page, with payloads) as readable lines
/// (<see cref="HistoryText"/>, the renderer the order example prints with), as a compact table, or as the
/// GetDurableExecutionHistory JSON that <see cref="HistoryReplayer"/> and <c>durable replay</c> read. <c>--follow</c>
/// prints new events as they happen until the execution ends.
/// </summary>
internal static class HistoryCommand
{
    public static Command Create(CliConsole console)
    {
        var target = new ExecutionArgument();
        var json = new Option<bool>("--json") { Description = "Print the history as GetDurableExecutionHistory JSON ({\"Events\": [...]}, every page): the export 'durable replay' and HistoryReplayer read." };
        var table = new Option<bool>("--table") { Description = "One compact row per event (id, time, type, name) instead of sentences." };
        var follow = new Option<bool>("--follow") { Description = "Keep printing new events until the execution ends; exit code 1 unless it succeeded." };
        var utc = new Option<bool>("--utc") { Description = "Times in UTC instead of the local time zone." };
        var connection = new ServiceConnection();
        var command = new Command("history", "Print an execution's history.") { json, table, follow, utc };
        target.AddTo(command);
        connection.AddTo(command);
        CommandActions.Set(command, console, async (parse, ct) =>
        {
            if (parse.GetValue(json) && (parse.GetValue(follow) || parse.GetValue(table)))
            {
                throw new UsageException("--json prints the whole history once; it does not combine with --follow or --table.");
            }

            using var client = connection.CreateClient(parse);
            var arn = await target.ResolveAsync(parse, client, ct).ConfigureAwait(false);
            var zone = parse.GetValue(utc) ? TimeZoneInfo.Utc : TimeZoneInfo.Local;
            if (parse.GetValue(json))
            {
                var events = await ReadAllAsync(client, arn, ct).ConfigureAwait(false);
                console.Out.WriteLine(JsonText.Serialize(new GetDurableExecutionHistoryResponse { Events = events }));
                return ExitCodes.Ok;
            }

            var execution = await client.GetDurableExecutionAsync(arn, ct).ConfigureAwait(false);
            console.Out.WriteLine($"Execution '{execution.DurableExecutionName}' of {FunctionName(execution.FunctionArn)}: {Status(execution.Status)}, started {Time(execution.StartTimestamp, zone)}");
            console.Out.WriteLine($"  {arn}");
            if (!parse.GetValue(follow))
            {
                var events = await ReadAllAsync(client, arn, ct).ConfigureAwait(false);
                Print(console, events, parse.GetValue(table), zone);
                PrintEnd(console, execution, events, zone);
                return ExitCodes.Ok;
            }

            return await FollowAsync(console, client, arn, parse.GetValue(table), zone, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Every page of the history, with payloads.</summary>
    public static async Task<List<HistoryEvent>> ReadAllAsync(LambdaDurableExecutionClient client, string arn, CancellationToken cancellationToken)
    {
        var events = new List<HistoryEvent>();
        string? marker = null;
        do
        {
            var page = await client.GetDurableExecutionHistoryAsync(arn, includeExecutionData: true, maxItems: 1000, marker: marker, cancellationToken: cancellationToken).ConfigureAwait(false);
            events.AddRange(page.Events);
            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
        return events;
    }

    /// <summary>The callbacks created and not yet answered, timed out or failed.</summary>
    public static IEnumerable<HistoryEvent> OpenCallbacks(IReadOnlyList<HistoryEvent> events)
        => events.Where(e => e.EventType == HistoryEventType.CallbackStarted
            && !events.Any(c => c.Id == e.Id && c.EventId > e.EventId
                && c.EventType is HistoryEventType.CallbackSucceeded or HistoryEventType.CallbackFailed or HistoryEventType.CallbackTimedOut));

    private static async Task<int> FollowAsync(CliConsole console, LambdaDurableExecutionClient client, string arn, bool table, TimeZoneInfo zone, CancellationToken ct)
    {
        var printed = 0;
        var progress = new ProgressLine(console);
        var started = console.Time.GetTimestamp();
        while (true)
        {
            var execution = await client.GetDurableExecutionAsync(arn, ct).ConfigureAwait(false);
            var events = await ReadAllAsync(client, arn, ct).ConfigureAwait(false);
            var fresh = events.Where(e => e.EventId > printed).ToList();
            if (fresh.Count > 0)
            {
                progress.Clear();
                Print(console, fresh, table, zone);
                printed = fresh[^1].EventId;
            }

            if (execution.Status != ExecutionStatus.Running)
            {
                progress.Clear();
                PrintEnd(console, execution, events, zone);
                return execution.Status == ExecutionStatus.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
            }

            var newestFirst = events.AsEnumerable().Reverse().Take(ExecutionWatcher.RecentEvents).ToList();
            var doing = ExecutionWatcher.Doing(newestFirst);
            var open = OpenCallbacks(events).LastOrDefault();
            var hint = open is null ? string.Empty : $" — answer: durable callback succeed {open.Details.CallbackId} --result <json>";
            progress.Update(doing + hint, string.Create(CultureInfo.InvariantCulture, $"… {console.Time.GetElapsedTime(started).TotalSeconds:0} s, {doing}{hint}"));
            await Task.Delay(ExecutionWatcher.PollInterval, console.Time, ct).ConfigureAwait(false);
        }
    }

    private static void Print(CliConsole console, IReadOnlyList<HistoryEvent> events, bool table, TimeZoneInfo zone)
    {
        if (table)
        {
            console.Out.Write(HistoryText.Table(events, zone));
            return;
        }

        foreach (var e in events)
        {
            console.Out.WriteLine(HistoryText.Line(e, zone));
        }
    }

    private static void PrintEnd(CliConsole console, GetDurableExecutionResponse execution, IReadOnlyList<HistoryEvent> events, TimeZoneInfo zone)
    {
        if (execution.Status == ExecutionStatus.Running)
        {
            foreach (var open in OpenCallbacks(events))
            {
                console.Out.WriteLine($"Waiting on callback '{open.Name}'. Answer it with:");
                console.Out.WriteLine($"  durable callback succeed {open.Details.CallbackId} --result '<json>'");
            }

            return;
        }

        var outcome = execution.Status == ExecutionStatus.Succeeded
            ? execution.Result ?? "null"
            : execution.Error is { } e ? $"{e.ErrorType}: {e.ErrorMessage}" : "(no error details)";
        console.Out.WriteLine($"Execution '{execution.DurableExecutionName}' {Status(execution.Status)} at {Time(execution.EndTimestamp, zone)}: {outcome}");
    }

    private static string Status(ExecutionStatus status) => UpperSnakeEnumConverter<ExecutionStatus>.ToToken(status);

    private static string Time(DateTimeOffset? t, TimeZoneInfo zone)
        => t is { } v ? TimeZoneInfo.ConvertTime(v, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    private static string FunctionName(string? functionArn)
    {
        if (functionArn is null)
        {
            return "?";
        }

        const string Marker = ":function:";
        var i = functionArn.IndexOf(Marker, StringComparison.Ordinal);
        var name = i < 0 ? functionArn : functionArn[(i + Marker.Length)..];
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? name : name[..colon];
    }
}
