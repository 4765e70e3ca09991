using System.Text.Json;
using System.Text.Json.Serialization;

namespace Durable.Fluent.Serialization;

/// <summary>
/// Turns a value into the payload text that is checkpointed, and back. A custom serializer is applied on the first run
/// <em>and</em> on replay: the value a node returns on its first run is the round trip <c>Deserialize(Serialize(x))</c>, so
/// the first run and every replay see the same value.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public interface ISerDes<T>
{
    /// <summary>Serializes a value to payload text; <see langword="null"/> means "no payload".</summary>
    /// <param name="value">The value.</param>
    /// <param name="context">Which operation the payload belongs to.</param>
    /// <returns>The payload text.</returns>
    string? Serialize(T value, SerDesContext context);

    /// <summary>Deserializes payload text.</summary>
    /// <param name="payload">The payload text, or <see langword="null"/> when the operation recorded none.</param>
    /// <param name="context">Which operation the payload belongs to.</param>
    /// <returns>The value.</returns>
    T Deserialize(string? payload, SerDesContext context);
}

/// <summary>Identifies the operation whose payload is being (de)serialized.</summary>
/// <param name="OperationId">The operation id.</param>
/// <param name="OperationName">The operation name, when it has one.</param>
/// <param name="DurableExecutionArn">The execution ARN.</param>
public readonly record struct SerDesContext(string OperationId, string? OperationName, string DurableExecutionArn);

/// <summary>The default serializer: System.Text.Json with <see cref="DurableJson.DefaultOptions"/> (or options you pass).</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class JsonSerDes<T> : ISerDes<T>
{
    private readonly JsonSerializerOptions _options;

    /// <summary>Creates the serializer.</summary>
    /// <param name="options">Serializer options; <see cref="DurableJson.DefaultOptions"/> when omitted.</param>
    public JsonSerDes(JsonSerializerOptions? options = null) => _options = options ?? DurableJson.DefaultOptions;

    /// <inheritdoc />
    public string? Serialize(T value, SerDesContext context) => JsonSerializer.Serialize(value, _options);

    /// <inheritdoc />
    public T Deserialize(string? payload, SerDesContext context)
        => string.IsNullOrEmpty(payload) ? default! : JsonSerializer.Deserialize<T>(payload, _options)!;
}

/// <summary>Defaults for user payloads.</summary>
public static class DurableJson
{
    /// <summary>
    /// The default options for step results, child results, callback results and the execution input and result:
    /// System.Text.Json web defaults (camelCase, case-insensitive reading), enums as strings, nulls written, and public
    /// fields included — so value tuples like <c>(A: 1, B: "x")</c> round-trip through a checkpoint — and minimal escaping
    /// (checkpoints are JSON documents, not HTML: <c>+</c>, <c>&lt;</c> and non-ASCII text stay readable).
    /// </summary>
    public static JsonSerializerOptions DefaultOptions { get; } = CreateDefault();

    private static JsonSerializerOptions CreateDefault()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            IncludeFields = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        // Batch enums keep the wire spelling of the service and peer SDKs (ALL_COMPLETED, FAILED, ...): options converters take
        // precedence over the enums' own [JsonConverter] attribute, so they are listed before the general enum converter.
        o.Converters.Add(new Wire.UpperSnakeEnumConverter<CompletionReason>());
        o.Converters.Add(new Wire.UpperSnakeEnumConverter<BatchStatus>());
        o.Converters.Add(new Wire.UpperSnakeEnumConverter<BatchItemStatus>());
        o.Converters.Add(new JsonStringEnumConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
