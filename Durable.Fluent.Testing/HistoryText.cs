using System.Globalization;
using System.Text;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing;

/// <summary>
/// Renders execution history events (<see cref="HistoryEvent"/>, as GetDurableExecutionHistory returns them) as readable
/// text: one sentence per event (<see cref="Describe"/>), a timestamped line (<see cref="Line"/>) and a compact table
/// (<see cref="Table"/>). The order example and the <c>durable history</c> command print with it.
/// </summary>
public static class HistoryText
{
    /// <summary>Payloads longer than this many characters are shortened with "…" in <see cref="Describe"/> (default 200).</summary>
    public const int DefaultMaxPayloadChars = 200;

    /// <summary>Describes one event in a sentence, for example <c>step 'charge' attempt 1 failed (timeout); durable retry in 2 s</c>.</summary>
    /// <param name="historyEvent">The event.</param>
    /// <param name="zone">The time zone for the timestamps inside the sentence (a wait's end); <see langword="null"/> for UTC.</param>
    /// <param name="maxPayloadChars">Payloads longer than this are shortened.</param>
    /// <returns>The sentence.</returns>
    public static string Describe(HistoryEvent historyEvent, TimeZoneInfo? zone = null, int maxPayloadChars = DefaultMaxPayloadChars)
    {
        ArgumentNullException.ThrowIfNull(historyEvent);
        var e = historyEvent;
        var d = e.Details;
        string P(EventPayload? p) => Shorten(p?.Payload, maxPayloadChars);
        string Outcome(EventPayload? p) => p?.Payload is null ? string.Empty : ": " + P(p);
        return e.EventType switch
        {
            HistoryEventType.ExecutionStarted => $"execution started with {P(d.Input)}",
            HistoryEventType.ExecutionSucceeded => $"execution succeeded: {P(d.Result)}",
            HistoryEventType.ExecutionFailed => $"execution failed: {Error(d.Error)}",
            HistoryEventType.ExecutionTimedOut => "execution timed out",
            HistoryEventType.ExecutionStopped => "execution stopped" + (d.Error is null ? string.Empty : $": {Error(d.Error)}"),
            HistoryEventType.StepStarted => $"step '{e.Name}' started",
            HistoryEventType.StepSucceeded when d.RetryDetails?.NextAttemptDelaySeconds is { } poll
                => $"step '{e.Name}' attempt {d.RetryDetails.CurrentAttempt} recorded {P(d.Result)}; next attempt in {poll} s",
            HistoryEventType.StepSucceeded => $"step '{e.Name}' succeeded{Outcome(d.Result)}",
            HistoryEventType.StepFailed when d.RetryDetails?.NextAttemptDelaySeconds is { } delay
                => $"step '{e.Name}' attempt {d.RetryDetails.CurrentAttempt} failed ({d.Error?.Payload.ErrorMessage}); durable retry in {delay} s",
            HistoryEventType.StepFailed => $"step '{e.Name}' failed: {Error(d.Error)}",
            HistoryEventType.WaitStarted => $"wait '{e.Name}' started: {d.Duration} s, until {Time(d.ScheduledEndTimestamp, zone)}",
            HistoryEventType.WaitSucceeded => $"wait '{e.Name}' is over: the service resumes the workflow",
            HistoryEventType.WaitCancelled => $"wait '{e.Name}' cancelled",
            HistoryEventType.ContextStarted => $"context '{e.Name}' started",
            HistoryEventType.ContextSucceeded => $"context '{e.Name}' succeeded{Outcome(d.Result)}",
            HistoryEventType.ContextFailed => $"context '{e.Name}' failed: {Error(d.Error)}",
            HistoryEventType.CallbackStarted => $"callback '{e.Name}' created: callback id {d.CallbackId}",
            HistoryEventType.CallbackSucceeded => $"callback '{e.Name}' completed{Outcome(d.Result)}",
            HistoryEventType.CallbackFailed => $"callback '{e.Name}' failed: {Error(d.Error)}",
            HistoryEventType.CallbackTimedOut => $"callback '{e.Name}' timed out",
            HistoryEventType.ChainedInvokeStarted => $"invoke '{e.Name}' of {d.FunctionName} started",
            HistoryEventType.ChainedInvokeSucceeded => $"invoke '{e.Name}' succeeded{Outcome(d.Result)}",
            HistoryEventType.ChainedInvokeFailed => $"invoke '{e.Name}' failed: {Error(d.Error)}",
            HistoryEventType.ChainedInvokeTimedOut => $"invoke '{e.Name}' timed out",
            HistoryEventType.ChainedInvokeStopped => $"invoke '{e.Name}' stopped",
            HistoryEventType.InvocationCompleted when d.Error is not null => $"invocation ended with {d.Error.Payload.ErrorType}",
            HistoryEventType.InvocationCompleted => "invocation ended",
            _ => e.EventType + (e.Name is null ? string.Empty : $" '{e.Name}'"),
        };
    }

    /// <summary>One event as a timestamped line: <c>  [14:02:07] #3  step 'charge' succeeded: …</c>.</summary>
    /// <param name="historyEvent">The event.</param>
    /// <param name="zone">The time zone of the timestamp; <see langword="null"/> for UTC.</param>
    /// <param name="maxPayloadChars">Payloads longer than this are shortened.</param>
    /// <returns>The line (without a line break).</returns>
    public static string Line(HistoryEvent historyEvent, TimeZoneInfo? zone = null, int maxPayloadChars = DefaultMaxPayloadChars)
    {
        ArgumentNullException.ThrowIfNull(historyEvent);
        return string.Create(CultureInfo.InvariantCulture, $"  [{Time(historyEvent.EventTimestamp, zone)}] #{historyEvent.EventId,-2} {Describe(historyEvent, zone, maxPayloadChars)}");
    }

    /// <summary>The events as a compact table, one row per event: id, time, event type and operation name.</summary>
    /// <param name="events">The events.</param>
    /// <param name="zone">The time zone of the timestamps; <see langword="null"/> for UTC.</param>
    /// <returns>The table, one line per event, each ending with a line break.</returns>
    public static string Table(IEnumerable<HistoryEvent> events, TimeZoneInfo? zone = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        var sb = new StringBuilder();
        foreach (var e in events)
        {
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"  {e.EventId,3} {Time(e.EventTimestamp, zone)} {e.EventType,-22} {e.Name}").TrimEnd()).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>A timestamp as <c>HH:mm:ss</c> in <paramref name="zone"/> (UTC when <see langword="null"/>), or <c>-</c>.</summary>
    /// <param name="timestamp">The timestamp.</param>
    /// <param name="zone">The time zone.</param>
    /// <returns>The text.</returns>
    public static string Time(DateTimeOffset? timestamp, TimeZoneInfo? zone = null)
        => timestamp is { } t ? TimeZoneInfo.ConvertTime(t, zone ?? TimeZoneInfo.Utc).ToString("HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    private static string Error(EventError? error)
        => error?.Payload is { } p ? $"{p.ErrorType}{(string.IsNullOrEmpty(p.ErrorMessage) ? string.Empty : ": " + p.ErrorMessage)}" : "(no error details)";

    private static string Shorten(string? text, int max)
    {
        if (text is null)
        {
            return "(none)";
        }

        return max > 0 && text.Length > max ? string.Concat(text.AsSpan(0, max), "…") : text;
    }
}
