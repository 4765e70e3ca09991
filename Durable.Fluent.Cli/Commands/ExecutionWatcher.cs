using System.Globalization;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Cli.Output;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Cli.Commands;

/// <summary>Polls an execution until it ends, with a progress line naming what it is doing (its latest history event).</summary>
internal static class ExecutionWatcher
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static async Task<GetDurableExecutionResponse> WaitForEndAsync(
        CliConsole console, LambdaDurableExecutionClient client, string arn, TimeSpan? limit, CancellationToken cancellationToken)
    {
        var progress = new ProgressLine(console);
        var started = console.Time.GetTimestamp();
        try
        {
            while (true)
            {
                var execution = await client.GetDurableExecutionAsync(arn, cancellationToken).ConfigureAwait(false);
                if (execution.Status != ExecutionStatus.Running)
                {
                    return execution;
                }

                var elapsed = console.Time.GetElapsedTime(started);
                if (elapsed > limit)
                {
                    throw new CommandFailedException($"{execution.DurableExecutionName ?? arn} is still RUNNING after {limit.Value.TotalSeconds:0} s; it goes on (follow it with 'durable history {arn} --follow').");
                }

                var latest = await client.GetDurableExecutionHistoryAsync(arn, includeExecutionData: false, maxItems: RecentEvents, reverseOrder: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                var doing = Doing(latest.Events);
                progress.Update(doing, string.Create(CultureInfo.InvariantCulture, $"… {execution.DurableExecutionName} RUNNING {elapsed.TotalSeconds:0} s: {doing}"));
                await Task.Delay(PollInterval, console.Time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            progress.Clear();
        }
    }

    public static void PrintOutcome(CliConsole console, GetDurableExecutionResponse execution)
    {
        var status = UpperSnakeEnumConverter<ExecutionStatus>.ToToken(execution.Status);
        if (execution.Status == ExecutionStatus.Succeeded)
        {
            console.Error.WriteLine($"Execution '{execution.DurableExecutionName}' {status}.");
            console.Out.WriteLine(execution.Result ?? "null");
            return;
        }

        var error = execution.Error is { } err ? $": {err.ErrorType}{(string.IsNullOrEmpty(err.ErrorMessage) ? string.Empty : " — " + err.ErrorMessage)}" : string.Empty;
        console.Error.WriteLine($"Execution '{execution.DurableExecutionName}' {status}{error}");
    }

    /// <summary>How many of the newest events <see cref="Doing"/> looks at.</summary>
    public const int RecentEvents = 25;

    /// <summary>
    /// What a running execution is doing, in a few words, from its latest events (newest first): while suspended, what it
    /// is suspended on (a wait, a callback, a retry, an invoke that has not ended).
    /// </summary>
    public static string Doing(IReadOnlyList<HistoryEvent> newestFirst)
    {
        if (newestFirst.Count == 0)
        {
            return "starting";
        }

        var e = newestFirst[0];
        if (e.EventType != HistoryEventType.InvocationCompleted)
        {
            return e.EventType switch
            {
                HistoryEventType.StepStarted => $"running step '{e.Name}'",
                _ => e.Name is null ? e.EventType.ToString() : $"{e.EventType} '{e.Name}'",
            };
        }

        var ended = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in newestFirst.Skip(1))
        {
            var retrying = c.Details.RetryDetails?.NextAttemptDelaySeconds is not null;
            switch (c.EventType)
            {
                case HistoryEventType.WaitStarted when !ended.Contains(c.Id ?? string.Empty):
                    return $"suspended: waiting ('{c.Name}', until {HistoryText.Time(c.Details.ScheduledEndTimestamp, TimeZoneInfo.Local)})";
                case HistoryEventType.CallbackStarted when !ended.Contains(c.Id ?? string.Empty):
                    return $"suspended: waiting for callback '{c.Name}'";
                case HistoryEventType.ChainedInvokeStarted when !ended.Contains(c.Id ?? string.Empty):
                    return $"suspended: waiting for invoke '{c.Name}'";
                case HistoryEventType.StepFailed or HistoryEventType.StepSucceeded when retrying && !ended.Contains(c.Id ?? string.Empty):
                    return $"suspended: step '{c.Name}' attempt {c.Details.RetryDetails!.CurrentAttempt + 1} in {c.Details.RetryDetails.NextAttemptDelaySeconds} s";
                case HistoryEventType.WaitStarted or HistoryEventType.CallbackStarted or HistoryEventType.ChainedInvokeStarted or HistoryEventType.StepStarted or HistoryEventType.ContextStarted or HistoryEventType.InvocationCompleted:
                    break;
                default:
                    ended.Add(c.Id ?? string.Empty); // an ending event, seen before (newer than) its start
                    break;
            }
        }

        return "suspended";
    }
}
