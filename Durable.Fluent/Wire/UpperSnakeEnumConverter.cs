using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Durable.Fluent.Wire;

/// <summary>
/// Serializes an enum as the UPPER_SNAKE token the durable execution API uses (<c>ChainedInvoke</c> ↔ <c>CHAINED_INVOKE</c>).
/// An unknown token is a <see cref="JsonException"/> that names the enum and the token.
/// </summary>
/// <typeparam name="T">The enum type.</typeparam>
public sealed class UpperSnakeEnumConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    private static readonly Dictionary<string, T> ByToken = BuildByToken();
    private static readonly ConcurrentDictionary<T, string> ByValue = new();

    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string token for {typeof(T).Name}, got {reader.TokenType}.");
        }

        var token = reader.GetString()!;
        if (ByToken.TryGetValue(token, out var value))
        {
            return value;
        }

        throw new JsonException($"Unknown {typeof(T).Name} value '{token}'. Expected one of: {string.Join(", ", ByToken.Keys)}.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        => writer.WriteStringValue(ToToken(value));

    /// <summary>The wire token of <paramref name="value"/>.</summary>
    /// <param name="value">The enum value.</param>
    /// <returns>The UPPER_SNAKE token.</returns>
    public static string ToToken(T value) => ByValue.GetOrAdd(value, static v => ToUpperSnake(v.ToString()));

    /// <summary>Parses a wire token.</summary>
    /// <param name="token">The UPPER_SNAKE token.</param>
    /// <param name="value">The parsed value.</param>
    /// <returns>Whether the token is known.</returns>
    public static bool TryParse(string token, out T value) => ByToken.TryGetValue(token, out value);

    private static Dictionary<string, T> BuildByToken()
    {
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var v in Enum.GetValues<T>())
        {
            map[ToUpperSnake(v.ToString())] = v;
        }

        return map;
    }

    private static string ToUpperSnake(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (i > 0 && char.IsUpper(c))
            {
                sb.Append('_');
            }

            sb.Append(char.ToUpperInvariant(c));
        }

        return sb.ToString();
    }
}
