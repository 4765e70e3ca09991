using System.Text.Json;
using System.Text.Json.Serialization;

namespace Durable.Fluent.Wire;

/// <summary>The event types of GetDurableExecutionHistory.</summary>
public enum HistoryEventType
{
    /// <summary>The execution was created (always EventId 1).</summary>
    ExecutionStarted,
    /// <summary>The execution finished successfully.</summary>
    ExecutionSucceeded,
    /// <summary>The execution failed.</summary>
    ExecutionFailed,
    /// <summary>The execution exceeded its timeout.</summary>
    ExecutionTimedOut,
    /// <summary>The execution was stopped.</summary>
    ExecutionStopped,
    /// <summary>A context started.</summary>
    ContextStarted,
    /// <summary>A context succeeded.</summary>
    ContextSucceeded,
    /// <summary>A context failed.</summary>
    ContextFailed,
    /// <summary>A wait started.</summary>
    WaitStarted,
    /// <summary>A wait's timer fired.</summary>
    WaitSucceeded,
    /// <summary>A wait was cancelled.</summary>
    WaitCancelled,
    /// <summary>A step attempt started.</summary>
    StepStarted,
    /// <summary>A step succeeded (or a wait-for-condition poll recorded its state).</summary>
    StepSucceeded,
    /// <summary>A step attempt failed.</summary>
    StepFailed,
    /// <summary>A chained invoke started.</summary>
    ChainedInvokeStarted,
    /// <summary>A chained invoke succeeded.</summary>
    ChainedInvokeSucceeded,
    /// <summary>A chained invoke failed.</summary>
    ChainedInvokeFailed,
    /// <summary>A chained invoke timed out.</summary>
    ChainedInvokeTimedOut,
    /// <summary>A chained invoke was stopped.</summary>
    ChainedInvokeStopped,
    /// <summary>A callback was created.</summary>
    CallbackStarted,
    /// <summary>A callback was completed successfully.</summary>
    CallbackSucceeded,
    /// <summary>A callback was completed with a failure.</summary>
    CallbackFailed,
    /// <summary>A callback timed out (overall or heartbeat).</summary>
    CallbackTimedOut,
    /// <summary>One handler invocation ended.</summary>
    InvocationCompleted,
}

/// <summary>One event of an execution's history, in the shape of the durable execution API's <c>Event</c>.</summary>
[JsonConverter(typeof(HistoryEventConverter))]
public sealed record HistoryEvent
{
    /// <summary>The event type.</summary>
    public required HistoryEventType EventType { get; init; }

    /// <summary>The 1-based position of the event in the execution's history.</summary>
    public required int EventId { get; init; }

    /// <summary>When the event was recorded.</summary>
    public required DateTimeOffset EventTimestamp { get; init; }

    /// <summary>The operation id (absent on InvocationCompleted).</summary>
    public string? Id { get; init; }

    /// <summary>The operation name.</summary>
    public string? Name { get; init; }

    /// <summary>The enclosing context id.</summary>
    public string? ParentId { get; init; }

    /// <summary>The operation sub-type.</summary>
    public string? SubType { get; init; }

    /// <summary>The details, written as <c>&lt;EventType&gt;Details</c>; always present, possibly empty.</summary>
    public EventDetails Details { get; init; } = EventDetails.Empty;
}

/// <summary>The members of the <c>…Details</c> object of a history event; unset members are omitted.</summary>
public sealed record EventDetails
{
    /// <summary>An empty details object.</summary>
    public static EventDetails Empty { get; } = new();

    /// <summary>ExecutionStarted input.</summary>
    public EventPayload? Input { get; init; }
    /// <summary>ExecutionStarted timeout in seconds.</summary>
    public int? ExecutionTimeout { get; init; }
    /// <summary>Result of a succeeded operation or execution.</summary>
    public EventPayload? Result { get; init; }
    /// <summary>Error of a failed or timed-out operation or execution.</summary>
    public EventError? Error { get; init; }
    /// <summary>Step attempt accounting.</summary>
    public RetryDetails? RetryDetails { get; init; }
    /// <summary>Wait duration in seconds.</summary>
    public int? Duration { get; init; }
    /// <summary>When a wait ends.</summary>
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? ScheduledEndTimestamp { get; init; }
    /// <summary>The callback id.</summary>
    public string? CallbackId { get; init; }
    /// <summary>Callback timeout in seconds.</summary>
    public int? Timeout { get; init; }
    /// <summary>Callback heartbeat timeout in seconds.</summary>
    public int? HeartbeatTimeout { get; init; }
    /// <summary>Chained-invoke target.</summary>
    public string? FunctionName { get; init; }
    /// <summary>Chained-invoke tenant.</summary>
    public string? TenantId { get; init; }
    /// <summary>Chained-invoke target version that ran.</summary>
    public string? ExecutedVersion { get; init; }
    /// <summary>Chained-invoke child execution ARN.</summary>
    public string? DurableExecutionArn { get; init; }
    /// <summary>Invocation start.</summary>
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? StartTimestamp { get; init; }
    /// <summary>Invocation end.</summary>
    [JsonConverter(typeof(NullableEpochTimestampConverter))]
    public DateTimeOffset? EndTimestamp { get; init; }
    /// <summary>Invocation request id.</summary>
    public string? RequestId { get; init; }
}

/// <summary>A payload wrapper (<c>EventInput</c>/<c>EventResult</c>).</summary>
/// <param name="Payload">The payload text exactly as checkpointed.</param>
/// <param name="Truncated">Whether the payload was truncated.</param>
public sealed record EventPayload(string? Payload, bool Truncated = false);

/// <summary>An error wrapper (<c>EventError</c>).</summary>
/// <param name="Payload">The error object.</param>
/// <param name="Truncated">Whether the error was truncated.</param>
public sealed record EventError(ErrorObject Payload, bool Truncated = false);

/// <summary>Attempt accounting of a step event.</summary>
/// <param name="CurrentAttempt">The attempt that finished (1-based).</param>
/// <param name="NextAttemptDelaySeconds">The delay before the next attempt, on RETRY only.</param>
public sealed record RetryDetails(int CurrentAttempt, int? NextAttemptDelaySeconds = null);

/// <summary>Writes and reads <see cref="HistoryEvent"/> with its details under the <c>&lt;EventType&gt;Details</c> key.</summary>
internal sealed class HistoryEventConverter : JsonConverter<HistoryEvent>
{
    /// <inheritdoc />
    public override HistoryEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A history event must be a JSON object.");
        }

        var typeText = root.TryGetProperty("EventType", out var t) ? t.GetString() : null;
        if (typeText is null || !Enum.TryParse<HistoryEventType>(typeText, ignoreCase: false, out var type))
        {
            throw new JsonException($"Unknown history EventType '{typeText}'.");
        }

        var details = root.TryGetProperty(typeText + "Details", out var d)
            ? d.Deserialize(WireJson.Info<EventDetails>(DetailsOptions(options))) ?? EventDetails.Empty
            : EventDetails.Empty;
        var tsConverter = new EpochTimestampConverter();
        var tsJson = root.GetProperty("EventTimestamp").GetRawText();
        var tsReader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(tsJson));
        tsReader.Read();
        return new HistoryEvent
        {
            EventType = type,
            EventId = root.GetProperty("EventId").GetInt32(),
            EventTimestamp = tsConverter.Read(ref tsReader, typeof(DateTimeOffset), options),
            Id = Str(root, "Id"),
            Name = Str(root, "Name"),
            ParentId = Str(root, "ParentId"),
            SubType = Str(root, "SubType"),
            Details = details,
        };
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, HistoryEvent value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("EventType", value.EventType.ToString());
        if (value.SubType is not null)
        {
            writer.WriteString("SubType", value.SubType);
        }

        writer.WriteNumber("EventId", value.EventId);
        if (value.Id is not null)
        {
            writer.WriteString("Id", value.Id);
        }

        if (value.Name is not null)
        {
            writer.WriteString("Name", value.Name);
        }

        writer.WritePropertyName("EventTimestamp");
        new EpochTimestampConverter().Write(writer, value.EventTimestamp, options);
        if (value.ParentId is not null)
        {
            writer.WriteString("ParentId", value.ParentId);
        }

        writer.WritePropertyName(value.EventType + "Details");
        JsonSerializer.Serialize(writer, value.Details, WireJson.Info<EventDetails>(DetailsOptions(options)));
        writer.WriteEndObject();
    }

    private static string? Str(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static JsonSerializerOptions DetailsOptions(JsonSerializerOptions options)
    {
        if (options.DefaultIgnoreCondition == JsonIgnoreCondition.WhenWritingNull)
        {
            return options;
        }

        return options.Converters.Any(c => c is EpochSecondsMarker) ? WireJson.Rest : WireJson.Envelope;
    }
}
