using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Testing;

/// <summary>The readable history renderer the order example and <c>durable history</c> print with.</summary>
public class HistoryTextTests
{
    private static readonly DateTimeOffset At = new(2026, 5, 1, 12, 0, 5, TimeSpan.Zero);

    private static HistoryEvent Event(HistoryEventType type, string? name = "charge", EventDetails? details = null, int id = 3)
        => new() { EventType = type, EventId = id, EventTimestamp = At, Id = "op-1", Name = name, Details = details ?? EventDetails.Empty };

    [Test]
    public void Each_event_reads_as_a_sentence_with_its_payload_error_or_retry()
    {
        Assert.Multiple(() =>
        {
            Assert.That(HistoryText.Describe(Event(HistoryEventType.ExecutionStarted, null, new EventDetails { Input = new EventPayload("{\"a\":1}") })), Is.EqualTo("execution started with {\"a\":1}"));
            Assert.That(HistoryText.Describe(Event(HistoryEventType.StepSucceeded, details: new EventDetails { Result = new EventPayload("42") })), Is.EqualTo("step 'charge' succeeded: 42"));
            Assert.That(HistoryText.Describe(Event(HistoryEventType.StepSucceeded)), Is.EqualTo("step 'charge' succeeded"), "no payload, no colon");
            Assert.That(
                HistoryText.Describe(Event(HistoryEventType.StepFailed, details: new EventDetails { Error = new EventError(new ErrorObject { ErrorType = "TimeoutException", ErrorMessage = "slow" }), RetryDetails = new RetryDetails(1, 2) })),
                Is.EqualTo("step 'charge' attempt 1 failed (slow); durable retry in 2 s"));
            Assert.That(
                HistoryText.Describe(Event(HistoryEventType.StepFailed, details: new EventDetails { Error = new EventError(new ErrorObject { ErrorType = "Boom", ErrorMessage = "no" }) })),
                Is.EqualTo("step 'charge' failed: Boom: no"));
            Assert.That(HistoryText.Describe(Event(HistoryEventType.WaitStarted, "nap", new EventDetails { Duration = 30, ScheduledEndTimestamp = At.AddSeconds(30) })), Is.EqualTo("wait 'nap' started: 30 s, until 12:00:35"));
            Assert.That(HistoryText.Describe(Event(HistoryEventType.CallbackStarted, "approve", new EventDetails { CallbackId = "abc=" })), Is.EqualTo("callback 'approve' created: callback id abc="));
            Assert.That(HistoryText.Describe(Event(HistoryEventType.InvocationCompleted, null, new EventDetails { Error = new EventError(new ErrorObject { ErrorType = "Runtime.ExitError" }) })), Is.EqualTo("invocation ended with Runtime.ExitError"));
            Assert.That(HistoryText.Describe(Event(HistoryEventType.ExecutionStopped, null)), Is.EqualTo("execution stopped"));
        });
    }

    [Test]
    public void Long_payloads_are_shortened_and_times_follow_the_zone()
    {
        var long1 = new string('x', 500);
        var text = HistoryText.Describe(Event(HistoryEventType.StepSucceeded, details: new EventDetails { Result = new EventPayload(long1) }));
        Assert.That(text, Is.EqualTo("step 'charge' succeeded: " + new string('x', HistoryText.DefaultMaxPayloadChars) + "…"));

        var tokyo = TimeZoneInfo.CreateCustomTimeZone("plus9", TimeSpan.FromHours(9), "plus9", "plus9");
        Assert.That(HistoryText.Line(Event(HistoryEventType.StepStarted), tokyo), Is.EqualTo("  [21:00:05] #3  step 'charge' started"));
        Assert.That(HistoryText.Line(Event(HistoryEventType.StepStarted)), Is.EqualTo("  [12:00:05] #3  step 'charge' started"), "UTC by default");
        Assert.That(HistoryText.Time(null), Is.EqualTo("-"));
    }

    [Test]
    public void The_table_has_one_row_per_event()
    {
        var table = HistoryText.Table([Event(HistoryEventType.StepStarted, id: 2), Event(HistoryEventType.InvocationCompleted, null, id: 3)]);

        Assert.That(table, Is.EqualTo("    2 12:00:05 StepStarted            charge\n    3 12:00:05 InvocationCompleted\n"));
    }
}
