using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Durable.Fluent.Serialization;

/// <summary>An untyped view of a serializer, used by the interpreter, which moves values as <see cref="object"/>.</summary>
internal abstract class PayloadCodec
{
    public abstract string? Serialize(object? value, SerDesContext context);

    public abstract object? Deserialize(string? payload, SerDesContext context);

    public static PayloadCodec For<T>(ISerDes<T> serDes) => new Typed<T>(serDes);

    /// <summary>JSON of <typeparamref name="T"/> through the metadata <paramref name="options"/> resolve (reflection or source-generated).</summary>
    public static PayloadCodec Json<T>(JsonSerializerOptions options) => new JsonOf<T>(options);

    private sealed class Typed<T>(ISerDes<T> inner) : PayloadCodec
    {
        public override string? Serialize(object? value, SerDesContext context) => inner.Serialize((T)value!, context);

        public override object? Deserialize(string? payload, SerDesContext context) => inner.Deserialize(payload, context);
    }

    /// <summary>
    /// JSON through <see cref="JsonTypeInfo{T}"/> resolved from the options once: no reflection-based serializer call, so the
    /// same code runs under the JIT (reflection metadata) and Native AOT (a source-generated context). A value declared as
    /// <see cref="object"/> is written with the metadata of its runtime type.
    /// </summary>
    private sealed class JsonOf<T>(JsonSerializerOptions options) : PayloadCodec
    {
        private JsonTypeInfo<T>? _info;

        private JsonTypeInfo<T> Info(SerDesContext context) => _info ??= DurableJson.TypeInfo<T>(options, Where(context));

        public override string? Serialize(object? value, SerDesContext context)
        {
            if (typeof(T) == typeof(object) && value is not null)
            {
                return JsonSerializer.Serialize(value, DurableJson.TypeInfo(options, value.GetType(), Where(context)));
            }

            return JsonSerializer.Serialize((T)value!, Info(context));
        }

        public override object? Deserialize(string? payload, SerDesContext context)
            => string.IsNullOrEmpty(payload) ? default(T) : JsonSerializer.Deserialize(payload, Info(context));

        private static string Where(SerDesContext context)
            => context.OperationName is { } name ? $"the payload of operation '{name}'" : $"the payload of operation {context.OperationId}";
    }
}
