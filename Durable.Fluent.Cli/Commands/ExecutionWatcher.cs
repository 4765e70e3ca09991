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

                var latest = await client.GetDurableExecutionHistoryAsync(arn, includeExecutionData: false, maxItems: 4, reverseOrder: true, cancellationToken: cancellationToken).ConfigureAwait(false);
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

    /// <summary>What a running execution is doing, in a few words, from its latest events (newest first).</summary>
    public static string Doing(IReadOnlyList<HistoryEvent> newestFirst)
    {
        if (newestFirst.Count == 0)
        {
            return "starting";
        }

        var e = newestFirst[0];
        if (e.EventType == HistoryEventType.InvocationCompleted)
        {
            var cause = newestFirst.Skip(1).FirstOrDefault(c => c.EventType is HistoryEventType.WaitStarted or HistoryEventType.CallbackStarted or HistoryEventType.StepFailed or HistoryEventType.StepSucceeded or HistoryEventType.ChainedInvokeStarted);
            return cause is null ? "suspended" : "suspended: " + Doing([cause]);
        }

        return e.EventType switch
        {
            HistoryEventType.WaitStarted => $"waiting ('{e.Name}', until {HistoryText.Time(e.Details.ScheduledEndTimestamp, TimeZoneInfo.Local)})",
            HistoryEventType.CallbackStarted => $"waiting for callback '{e.Name}'",
            HistoryEventType.ChainedInvokeStarted => $"waiting for invoke '{e.Name}'",
            HistoryEventType.StepStarted => $"running step '{e.Name}'",
            HistoryEventType.StepFailed => $"step '{e.Name}' failed, retry pending",
            HistoryEventType.StepSucceeded when e.Details.RetryDetails?.NextAttemptDelaySeconds is not null => $"polling '{e.Name}'",
            _ => HistoryText.Describe(e, TimeZoneInfo.Local, 60),
        };
    }
}
