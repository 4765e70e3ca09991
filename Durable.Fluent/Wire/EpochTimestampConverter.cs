using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Durable.Fluent.Wire;

/// <summary>
/// Reads and writes the timestamps of the durable execution wire model.
/// The invocation envelope uses Unix epoch <b>milliseconds</b>; the REST API uses epoch <b>seconds</b> (possibly fractional).
/// Reading accepts both (a value below 10^11 is taken as seconds, which is unambiguous until the year 5138), and ISO-8601
/// strings. Writing uses milliseconds unless the options carry <see cref="EpochSecondsMarker"/>. A number outside the
/// range of <see cref="DateTimeOffset"/> (years 1 to 9999) is a <see cref="JsonException"/>, like any other malformed value.
/// </summary>
internal sealed class EpochTimestampConverter : JsonConverter<DateTimeOffset>
{
    private const double SecondsThreshold = 1e11;
    private static readonly double MinMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly double MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                var value = reader.GetDouble();
                var ms = Math.Round(Math.Abs(value) < SecondsThreshold ? value * 1000d : value);
                if (!double.IsFinite(ms) || ms < MinMilliseconds || ms > MaxMilliseconds)
                {
                    throw new JsonException($"Timestamp {value.ToString(CultureInfo.InvariantCulture)} is out of range: expected epoch milliseconds (or seconds) between years 1 and 9999.");
                }

                return DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
            case JsonTokenType.String:
                var text = reader.GetString()!;
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return parsed;
                }

                throw new JsonException($"Invalid timestamp '{text}': expected epoch milliseconds, epoch seconds or ISO-8601.");
            default:
                throw new JsonException($"Invalid timestamp token {reader.TokenType}: expected a number.");
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        if (options.Converters.Any(c => c is EpochSecondsMarker))
        {
            writer.WriteNumberValue(value.ToUnixTimeMilliseconds() / 1000d);
        }
        else
        {
            writer.WriteNumberValue(value.ToUnixTimeMilliseconds());
        }
    }
}

/// <summary>
/// Add to <see cref="JsonSerializerOptions.Converters"/> to make <see cref="EpochTimestampConverter"/> write epoch seconds,
/// as the REST API does. It converts nothing itself.
/// </summary>
internal sealed class EpochSecondsMarker : JsonConverter<EpochSecondsMarker>
{
    /// <inheritdoc />
    public override EpochSecondsMarker Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, EpochSecondsMarker value, JsonSerializerOptions options)
        => throw new NotSupportedException();
}

/// <summary>Nullable form of <see cref="EpochTimestampConverter"/>, applied to the wire model's timestamp properties.</summary>
internal sealed class NullableEpochTimestampConverter : JsonConverter<DateTimeOffset?>
{
    private static readonly EpochTimestampConverter Inner = new();

    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType == JsonTokenType.Null ? null : Inner.Read(ref reader, typeof(DateTimeOffset), options);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            Inner.Write(writer, value.Value, options);
        }
    }
}
