using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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

/// <summary>
/// A System.Text.Json serializer for one operation. Under Native AOT or trimming, create it from source-generated metadata
/// (<c>new JsonSerDes&lt;Order&gt;(AppJson.Default.Order)</c>); the options-based constructor uses reflection by default.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class JsonSerDes<T> : ISerDes<T>
{
    private readonly JsonSerializerOptions? _options;
    private JsonTypeInfo<T>? _typeInfo;

    /// <summary>Creates the serializer from options (reflection-based unless the options carry a source-generated resolver).</summary>
    /// <param name="options">Serializer options; <see cref="DurableJson.DefaultOptions"/> when omitted.</param>
    [RequiresUnreferencedCode(DurableJson.ReflectionMessage)]
    [RequiresDynamicCode(DurableJson.ReflectionMessage)]
    public JsonSerDes(JsonSerializerOptions? options = null) => _options = options ?? DurableJson.DefaultOptions;

    /// <summary>Creates the serializer from source-generated metadata (trimming and Native AOT safe).</summary>
    /// <param name="typeInfo">The metadata, e.g. <c>AppJson.Default.Order</c> of a <see cref="JsonSerializerContext"/>.</param>
    public JsonSerDes(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    private JsonTypeInfo<T> TypeInfo => _typeInfo ??= DurableJson.TypeInfo<T>(_options!, "a JsonSerDes");

    /// <inheritdoc />
    public string? Serialize(T value, SerDesContext context) => JsonSerializer.Serialize(value, TypeInfo);

    /// <inheritdoc />
    public T Deserialize(string? payload, SerDesContext context)
        => string.IsNullOrEmpty(payload) ? default! : JsonSerializer.Deserialize(payload, TypeInfo)!;
}

/// <summary>
/// The JSON settings of user payloads (step results, child results, callback results, the execution input and result).
/// </summary>
public static class DurableJson
{
    internal const string ReflectionMessage =
        "Payloads are (de)serialized with reflection-based System.Text.Json, which trimming and Native AOT remove. " +
        "Declare a JsonSerializerContext that lists the workflow's payload types ([JsonSerializable(typeof(Order))] partial class AppJson : JsonSerializerContext) " +
        "and pass it instead: Build(AppJson.Default), JsonSerDes<T>(AppJson.Default.Order), DurableJson.CreateOptions(AppJson.Default).";

    private static JsonSerializerOptions? s_default;

    /// <summary>
    /// The reflection-based default used by <c>Build()</c>: System.Text.Json web defaults (camelCase, case-insensitive
    /// reading), enums as strings, nulls written, and public fields included — so value tuples like <c>(A: 1, B: "x")</c>
    /// round-trip through a checkpoint — and minimal escaping (checkpoints are JSON documents, not HTML: <c>+</c>,
    /// <c>&lt;</c> and non-ASCII text stay readable). Under Native AOT use <see cref="CreateOptions"/> with a
    /// source-generated context instead.
    /// </summary>
    public static JsonSerializerOptions DefaultOptions
    {
        [RequiresUnreferencedCode(ReflectionMessage)]
        [RequiresDynamicCode(ReflectionMessage)]
        get => s_default ??= CreateReflectionDefault();
    }

    /// <summary>
    /// Options with the same settings as <see cref="DefaultOptions"/> whose metadata comes from <paramref name="resolver"/>
    /// (a source-generated <see cref="JsonSerializerContext"/>): no reflection, safe under trimming and Native AOT. To get
    /// the same JSON as the reflection default, declare the context with
    /// <c>[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, IncludeFields = true)]</c>
    /// (source generation decides at compile time which members and enum converters exist).
    /// </summary>
    /// <param name="resolver">The metadata source, e.g. <c>AppJson.Default</c>.</param>
    /// <returns>Read-only options.</returns>
    public static JsonSerializerOptions CreateOptions(IJsonTypeInfoResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        var o = CreateBase();
        o.TypeInfoResolver = JsonTypeInfoResolver.Combine(resolver, DurablePayloadJsonContext.Default);
        o.MakeReadOnly();
        return o;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IJsonTypeInfoResolver, JsonSerializerOptions> s_byResolver = new();

    /// <summary>
    /// <see cref="CreateOptions"/>, one instance per resolver, so workflows built over the same context share its metadata
    /// cache (each type's metadata is created once per process — a cold-start cost).
    /// </summary>
    internal static JsonSerializerOptions OptionsFor(IJsonTypeInfoResolver resolver)
        => s_byResolver.GetValue(resolver, static r => CreateOptions(r));

    /// <summary>
    /// Copies <paramref name="options"/> with <paramref name="resolver"/> as its metadata source (and the library's own
    /// payload types), for a workflow that brings its own JSON settings and runs under Native AOT.
    /// </summary>
    internal static JsonSerializerOptions WithResolver(JsonSerializerOptions options, IJsonTypeInfoResolver resolver)
    {
        var o = new JsonSerializerOptions(options) { TypeInfoResolver = JsonTypeInfoResolver.Combine(resolver, DurablePayloadJsonContext.Default) };
        o.MakeReadOnly();
        return o;
    }

    /// <summary>
    /// The metadata of <typeparamref name="T"/> under <paramref name="options"/>, or a <see cref="MissingJsonTypeInfoException"/>
    /// that names the type, where it is used and the fix.
    /// </summary>
    internal static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options, string usedBy)
        => (JsonTypeInfo<T>)TypeInfo(options, typeof(T), usedBy);

    internal static JsonTypeInfo TypeInfo(JsonSerializerOptions options, Type type, string usedBy)
    {
        try
        {
            return options.GetTypeInfo(type);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            throw new MissingJsonTypeInfoException(type, usedBy, ex);
        }
    }

    private static JsonSerializerOptions CreateBase()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            IncludeFields = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        // Batch enums keep the wire spelling of the service and peer SDKs (ALL_COMPLETED, FAILED, ...): options converters take
        // precedence over the enums' own [JsonConverter] attribute, so they are listed before any general enum converter.
        o.Converters.Add(new Wire.UpperSnakeEnumConverter<CompletionReason>());
        o.Converters.Add(new Wire.UpperSnakeEnumConverter<BatchStatus>());
        o.Converters.Add(new Wire.UpperSnakeEnumConverter<BatchItemStatus>());
        return o;
    }

    [RequiresUnreferencedCode(ReflectionMessage)]
    [RequiresDynamicCode(ReflectionMessage)]
    private static JsonSerializerOptions CreateReflectionDefault()
    {
        var o = CreateBase();
        o.Converters.Add(new JsonStringEnumConverter());
        o.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        o.MakeReadOnly();
        return o;
    }
}

/// <summary>
/// A payload type has no JSON metadata in the workflow's serializer options: the workflow runs with a source-generated
/// <see cref="JsonSerializerContext"/> (trimming / Native AOT) that does not list it. The message names the type, where it
/// is used, and the fix.
/// </summary>
public sealed class MissingJsonTypeInfoException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="payloadType">The type without metadata.</param>
    /// <param name="usedBy">Where the type is used (e.g. <c>the result of step 'charge'</c>).</param>
    /// <param name="innerException">System.Text.Json's own error.</param>
    public MissingJsonTypeInfoException(Type payloadType, string usedBy, Exception? innerException = null)
        : base(
            $"No JSON metadata for {Describe(payloadType)} ({usedBy}): the workflow's JSON context does not list it. " +
            $"Add [JsonSerializable(typeof({Describe(payloadType)}))] to the JsonSerializerContext passed to Build(...), " +
            "or give this operation its own serializer (SerializeWith(new JsonSerDes<T>(typeInfo)) or an ISerDes<T>).",
            innerException)
    {
        ArgumentNullException.ThrowIfNull(payloadType);
        PayloadType = payloadType;
    }

    /// <summary>The type without metadata.</summary>
    public Type PayloadType { get; }

    private static string Describe(Type t)
    {
        if (!t.IsGenericType)
        {
            return t.FullName?.Replace('+', '.') ?? t.Name;
        }

        var name = t.GetGenericTypeDefinition().FullName ?? t.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return $"{(tick < 0 ? name : name[..tick]).Replace('+', '.')}<{string.Join(", ", t.GetGenericArguments().Select(Describe))}>";
    }
}

/// <summary>The library's own types that travel inside user payloads (batch item errors), for source-generated options.</summary>
[JsonSerializable(typeof(Wire.ErrorObject))]
internal sealed partial class DurablePayloadJsonContext : JsonSerializerContext;
