using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Durable.Fluent.Tests.Conformance.Matching;

/// <summary>Python <c>json.dumps</c> / <c>json.loads</c> behaviour over <see cref="JsonNode"/>.</summary>
public static class PythonJson
{
    /// <summary>
    /// Exactly the text of Python <c>json.dumps(value)</c> with default arguments:
    /// separators <c>", "</c> and <c>": "</c>, <c>ensure_ascii=True</c> (every char outside
    /// U+0020..U+007E escaped, non-ASCII as lower-case <c>\uXXXX</c>, astral chars as surrogate pairs),
    /// <c>true</c>/<c>false</c>/<c>null</c>, ints in decimal, floats as Python <c>repr</c>
    /// (<c>1.0</c> stays <c>1.0</c>; NaN/Infinity/-Infinity as Python writes them), key order kept.
    /// </summary>
    public static string Dumps(JsonNode? value)
    {
        var sb = new StringBuilder();
        Append(sb, value);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, JsonNode? node)
    {
        switch (PythonValues.KindOf(node))
        {
            case PyKind.None:
                sb.Append("null");
                break;
            case PyKind.Bool:
                sb.Append(PythonValues.GetBool(node!) ? "true" : "false");
                break;
            case PyKind.Int:
                sb.Append(PythonValues.GetInt(node!).ToString(CultureInfo.InvariantCulture));
                break;
            case PyKind.Float:
                {
                    var f = PythonValues.GetFloat(node!);
                    if (double.IsNaN(f)) sb.Append("NaN");
                    else if (double.IsPositiveInfinity(f)) sb.Append("Infinity");
                    else if (double.IsNegativeInfinity(f)) sb.Append("-Infinity");
                    else sb.Append(PythonValues.FloatRepr(f));
                    break;
                }

            case PyKind.Str:
                AppendString(sb, PythonValues.GetStr(node!));
                break;
            case PyKind.List:
                {
                    sb.Append('[');
                    var first = true;
                    foreach (var item in node!.AsArray())
                    {
                        if (!first) sb.Append(", ");
                        first = false;
                        Append(sb, item);
                    }

                    sb.Append(']');
                    break;
                }

            case PyKind.Dict:
                {
                    sb.Append('{');
                    var first = true;
                    foreach (var (key, item) in node!.AsObject())
                    {
                        if (!first) sb.Append(", ");
                        first = false;
                        AppendString(sb, key);
                        sb.Append(": ");
                        Append(sb, item);
                    }

                    sb.Append('}');
                    break;
                }
        }
    }

    private static void AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>
    /// Python <c>json.loads(text)</c>. Returns false when the text is not valid JSON for
    /// System.Text.Json (Python additionally accepts <c>NaN</c>/<c>Infinity</c> literals; those
    /// are reported as not parseable here).
    /// </summary>
    public static bool TryLoads(string text, out JsonNode? value)
    {
        try
        {
            value = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            return true;
        }
        catch (JsonException)
        {
            value = null;
            return false;
        }
        catch (ArgumentException)
        {
            // e.g. duplicate keys
            value = null;
            return false;
        }
    }

    /// <summary>
    /// The value the validator compares for a <c>GetDurableExecution.Result</c> string:
    /// one <c>json.loads</c>; if that fails, the raw string; <c>null</c> stays <c>None</c>.
    /// </summary>
    public static JsonNode? LoadsOrRaw(string? text)
    {
        if (text is null) return null;
        return TryLoads(text, out var parsed) ? parsed : JsonValue.Create(text);
    }
}
