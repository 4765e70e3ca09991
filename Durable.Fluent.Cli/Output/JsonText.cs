using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Cli.Output;

/// <summary>JSON on the command line: input checked before anything is sent, output in the REST API's own shape.</summary>
internal static class JsonText
{
    private static readonly JsonSerializerOptions Indented = new(WireJson.Rest) { WriteIndented = true };

    /// <summary>The REST API's JSON of <paramref name="value"/> (epoch-seconds timestamps, PascalCase), indented.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Indented.GetTypeInfo(typeof(T)));

    /// <summary>Throws a usage error naming <paramref name="what"/> when <paramref name="text"/> is not one JSON value.</summary>
    public static string Require(string text, string what)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return text;
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{what} is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>The text of an option or of the file another option names (<c>-</c> reads standard input).</summary>
    public static string? TextOrFile(string? text, string? file, string textOption, string fileOption)
    {
        if (text is not null && file is not null)
        {
            throw new UsageException($"Pass {textOption} or {fileOption}, not both.");
        }

        if (file is null)
        {
            return text;
        }

        if (file == "-")
        {
            return Console.In.ReadToEnd();
        }

        return File.Exists(file) ? File.ReadAllText(file) : throw new UsageException($"{fileOption}: file not found: {Path.GetFullPath(file)}");
    }
}
