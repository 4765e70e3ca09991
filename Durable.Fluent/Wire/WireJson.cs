using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Durable.Fluent.Checkpointing.Http;

namespace Durable.Fluent.Wire;

/// <summary>
/// Serializer options for the durable execution wire model. Their metadata for the wire types is source-generated, so the
/// envelope, checkpoint and REST bodies (de)serialize without reflection under trimming and Native AOT. When the app allows
/// reflection (any JIT app), other types still serialize with these options through reflection, as before.
/// </summary>
public static class WireJson
{
    /// <summary>Options for the invocation envelope and checkpoint bodies (timestamps in epoch milliseconds, nulls omitted).</summary>
    public static JsonSerializerOptions Envelope { get; } = Create(seconds: false);

    /// <summary>Options for REST API bodies (timestamps in epoch seconds, nulls omitted).</summary>
    public static JsonSerializerOptions Rest { get; } = Create(seconds: true);

    /// <summary>The source-generated metadata of a wire type under <paramref name="options"/> (<see cref="Envelope"/> or <see cref="Rest"/>).</summary>
    internal static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    private static JsonSerializerOptions Create(bool seconds)
    {
        var o = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            PropertyNameCaseInsensitive = false,
            TypeInfoResolver = JsonSerializer.IsReflectionEnabledByDefault
                ? JsonTypeInfoResolver.Combine(WireJsonContext.Default, ReflectionFallback())
                : WireJsonContext.Default,
        };
        o.Converters.Add(new EpochTimestampConverter());
        if (seconds)
        {
            o.Converters.Add(new EpochSecondsMarker());
        }

        o.MakeReadOnly();
        return o;
    }

    // Reached only when the app allows reflection-based serialization; trimmed and Native AOT apps switch it off
    // (JsonSerializerIsReflectionEnabledByDefault=false), and the linker removes this branch with it.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Guarded by JsonSerializer.IsReflectionEnabledByDefault.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by JsonSerializer.IsReflectionEnabledByDefault.")]
    private static IJsonTypeInfoResolver ReflectionFallback() => new DefaultJsonTypeInfoResolver();
}

/// <summary>The wire model and REST bodies, source-generated (used as the resolver of <see cref="WireJson"/>'s options).</summary>
[JsonSerializable(typeof(DurableExecutionInvocationInput))]
[JsonSerializable(typeof(DurableExecutionInvocationOutput))]
[JsonSerializable(typeof(ExecutionState))]
[JsonSerializable(typeof(ErrorObject))]
[JsonSerializable(typeof(Operation))]
[JsonSerializable(typeof(OperationUpdate))]
[JsonSerializable(typeof(List<OperationUpdate>))]
[JsonSerializable(typeof(HistoryEvent))]
[JsonSerializable(typeof(EventDetails))]
[JsonSerializable(typeof(List<HistoryEvent>))]
[JsonSerializable(typeof(GetDurableExecutionResponse))]
[JsonSerializable(typeof(GetDurableExecutionHistoryResponse))]
[JsonSerializable(typeof(StopDurableExecutionResponse))]
[JsonSerializable(typeof(ListDurableExecutionsByFunctionResponse))]
[JsonSerializable(typeof(LambdaDurableExecutionClient.CheckpointRequestBody))]
[JsonSerializable(typeof(LambdaDurableExecutionClient.CheckpointResponseBody))]
[JsonSerializable(typeof(JsonElement?))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
