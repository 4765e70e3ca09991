using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Durable.Fluent.Wire;

/// <summary>Serializer options for the durable execution wire model.</summary>
public static class WireJson
{
    /// <summary>Options for the invocation envelope and checkpoint bodies (timestamps in epoch milliseconds, nulls omitted).</summary>
    public static JsonSerializerOptions Envelope { get; } = Create(seconds: false);

    /// <summary>Options for REST API bodies (timestamps in epoch seconds, nulls omitted).</summary>
    public static JsonSerializerOptions Rest { get; } = Create(seconds: true);

    private static JsonSerializerOptions Create(bool seconds)
    {
        var o = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            PropertyNameCaseInsensitive = false,
        };
        o.Converters.Add(new EpochTimestampConverter());
        if (seconds)
        {
            o.Converters.Add(new EpochSecondsMarker());
        }

        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
