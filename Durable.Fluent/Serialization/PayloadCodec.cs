using System.Text.Json;

namespace Durable.Fluent.Serialization;

/// <summary>An untyped view of a serializer, used by the interpreter, which moves values as <see cref="object"/>.</summary>
internal abstract class PayloadCodec
{
    public abstract string? Serialize(object? value, SerDesContext context);

    public abstract object? Deserialize(string? payload, SerDesContext context);

    public static PayloadCodec For<T>(ISerDes<T> serDes) => new Typed<T>(serDes);

    public static PayloadCodec Json<T>(JsonSerializerOptions? options) => new Typed<T>(new JsonSerDes<T>(options));

    private sealed class Typed<T>(ISerDes<T> inner) : PayloadCodec
    {
        public override string? Serialize(object? value, SerDesContext context) => inner.Serialize((T)value!, context);

        public override object? Deserialize(string? payload, SerDesContext context) => inner.Deserialize(payload, context);
    }
}
