using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Durable.Fluent.Tests.Conformance.Matching;

/// <summary>The Python type a <see cref="JsonNode"/> stands for (json.loads / yaml.safe_load view).</summary>
public enum PyKind
{
    /// <summary>Python None.</summary>
    None,
    /// <summary>Python bool.</summary>
    Bool,
    /// <summary>Python int (arbitrary precision).</summary>
    Int,
    /// <summary>Python float.</summary>
    Float,
    /// <summary>Python str.</summary>
    Str,
    /// <summary>Python list.</summary>
    List,
    /// <summary>Python dict.</summary>
    Dict,
}

/// <summary>
/// Python value semantics over <see cref="JsonNode"/> trees: type classification, <c>==</c>,
/// <c>str()</c>, <c>repr()</c> and <c>re.search</c>.
/// </summary>
/// <remarks>
/// Numbers keep Python's int/float distinction. A number parsed from JSON text is an int when its
/// raw text has no '.', 'e' or 'E' (json.loads rule); a CLR-typed value is an int when it is an
/// integral CLR type (or a decimal with scale 0) and a float when it is float/double/decimal with a scale.
/// </remarks>
public static class PythonValues
{
    /// <summary>Classifies a node as the Python type json.loads / yaml.safe_load would have produced.</summary>
    public static PyKind KindOf(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return PyKind.None;
            case JsonObject:
                return PyKind.Dict;
            case JsonArray:
                return PyKind.List;
        }

        return Raw(node) switch
        {
            JsonElement e => e.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.Undefined => PyKind.None,
                JsonValueKind.True or JsonValueKind.False => PyKind.Bool,
                JsonValueKind.String => PyKind.Str,
                JsonValueKind.Number => IsFloatText(e.GetRawText()) ? PyKind.Float : PyKind.Int,
                JsonValueKind.Object => PyKind.Dict,
                JsonValueKind.Array => PyKind.List,
                _ => PyKind.Str,
            },
            bool => PyKind.Bool,
            string or char or Guid or DateTime or DateTimeOffset => PyKind.Str,
            sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger or Int128 or UInt128 => PyKind.Int,
            decimal m => m.Scale == 0 ? PyKind.Int : PyKind.Float,
            float or double or Half => PyKind.Float,
            _ => node.GetValueKind() switch
            {
                JsonValueKind.Number => PyKind.Float,
                JsonValueKind.True or JsonValueKind.False => PyKind.Bool,
                JsonValueKind.Null => PyKind.None,
                _ => PyKind.Str,
            },
        };
    }

    private static object Raw(JsonNode node) => node.AsValue().GetValue<object>();

    private static bool IsFloatText(string raw) =>
        raw.Contains('.', StringComparison.Ordinal) || raw.Contains('e', StringComparison.Ordinal) || raw.Contains('E', StringComparison.Ordinal);

    /// <summary>Returns the integer value of a Python int or bool node.</summary>
    public static BigInteger GetInt(JsonNode node) => Raw(node) switch
    {
        JsonElement { ValueKind: JsonValueKind.True } => BigInteger.One,
        JsonElement { ValueKind: JsonValueKind.False } => BigInteger.Zero,
        JsonElement e => BigInteger.Parse(e.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        bool b => b ? BigInteger.One : BigInteger.Zero,
        BigInteger big => big,
        decimal m => new BigInteger(m),
        Int128 i128 => (BigInteger)i128,
        UInt128 u128 => (BigInteger)u128,
        ulong ul => ul,
        IConvertible c => c.ToInt64(CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"Node is not an int: {node.ToJsonString()}"),
    };

    /// <summary>Returns the value of a Python float node.</summary>
    public static double GetFloat(JsonNode node) => Raw(node) switch
    {
        JsonElement e => double.Parse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture),
        Half h => (double)h,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"Node is not a float: {node.ToJsonString()}"),
    };

    /// <summary>Returns the value of a Python bool node.</summary>
    public static bool GetBool(JsonNode node) => Raw(node) switch
    {
        JsonElement e => e.ValueKind == JsonValueKind.True,
        bool b => b,
        _ => throw new InvalidOperationException($"Node is not a bool: {node.ToJsonString()}"),
    };

    /// <summary>Returns the value of a Python str node.</summary>
    public static string GetStr(JsonNode node) => Raw(node) switch
    {
        JsonElement e => e.GetString() ?? string.Empty,
        string s => s,
        char c => c.ToString(),
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
        object o => Convert.ToString(o, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>True when <paramref name="node"/> is a Python str; returns it.</summary>
    public static bool TryGetStr(JsonNode? node, out string text)
    {
        if (KindOf(node) == PyKind.Str)
        {
            text = GetStr(node!);
            return true;
        }

        text = string.Empty;
        return false;
    }

    /// <summary>Python <c>a == b</c>: 2 == 2.0, True == 1, '5' != 5, dict key order ignored.</summary>
    public static bool PyEquals(JsonNode? a, JsonNode? b)
    {
        var ka = KindOf(a);
        var kb = KindOf(b);
        if (IsNumeric(ka) && IsNumeric(kb)) return NumericEquals(a!, ka, b!, kb);
        if (ka != kb) return false;
        switch (ka)
        {
            case PyKind.None:
                return true;
            case PyKind.Str:
                return string.Equals(GetStr(a!), GetStr(b!), StringComparison.Ordinal);
            case PyKind.List:
                {
                    var la = a!.AsArray();
                    var lb = b!.AsArray();
                    if (la.Count != lb.Count) return false;
                    for (var i = 0; i < la.Count; i++)
                    {
                        if (!PyEquals(la[i], lb[i])) return false;
                    }

                    return true;
                }

            case PyKind.Dict:
                {
                    var da = a!.AsObject();
                    var db = b!.AsObject();
                    if (da.Count != db.Count) return false;
                    foreach (var (key, va) in da)
                    {
                        if (!db.TryGetPropertyValue(key, out var vb)) return false;
                        if (!PyEquals(va, vb)) return false;
                    }

                    return true;
                }

            default:
                return false;
        }
    }

    private static bool IsNumeric(PyKind k) => k is PyKind.Bool or PyKind.Int or PyKind.Float;

    private static bool NumericEquals(JsonNode a, PyKind ka, JsonNode b, PyKind kb)
    {
        if (ka == PyKind.Float || kb == PyKind.Float)
        {
            if (ka == PyKind.Float && kb == PyKind.Float)
            {
                return GetFloat(a) == GetFloat(b);
            }

            var f = ka == PyKind.Float ? GetFloat(a) : GetFloat(b);
            var i = ka == PyKind.Float ? GetInt(b) : GetInt(a);
            if (double.IsNaN(f) || double.IsInfinity(f) || Math.Floor(f) != f) return false;
            return new BigInteger(f) == i;
        }

        return GetInt(a) == GetInt(b);
    }

    /// <summary>Python <c>str(value)</c>: ints in decimal, True/False, None, floats as repr, containers as repr.</summary>
    public static string PyStr(JsonNode? node) =>
        KindOf(node) == PyKind.Str ? GetStr(node!) : PyRepr(node);

    /// <summary>Python <c>repr(value)</c>.</summary>
    public static string PyRepr(JsonNode? node)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, node);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, JsonNode? node)
    {
        switch (KindOf(node))
        {
            case PyKind.None:
                sb.Append("None");
                break;
            case PyKind.Bool:
                sb.Append(GetBool(node!) ? "True" : "False");
                break;
            case PyKind.Int:
                sb.Append(GetInt(node!).ToString(CultureInfo.InvariantCulture));
                break;
            case PyKind.Float:
                sb.Append(FloatRepr(GetFloat(node!)));
                break;
            case PyKind.Str:
                AppendStrRepr(sb, GetStr(node!));
                break;
            case PyKind.List:
                {
                    sb.Append('[');
                    var first = true;
                    foreach (var item in node!.AsArray())
                    {
                        if (!first) sb.Append(", ");
                        first = false;
                        AppendRepr(sb, item);
                    }

                    sb.Append(']');
                    break;
                }

            case PyKind.Dict:
                {
                    sb.Append('{');
                    var first = true;
                    foreach (var (key, value) in node!.AsObject())
                    {
                        if (!first) sb.Append(", ");
                        first = false;
                        AppendStrRepr(sb, key);
                        sb.Append(": ");
                        AppendRepr(sb, value);
                    }

                    sb.Append('}');
                    break;
                }
        }
    }

    private static void AppendStrRepr(StringBuilder sb, string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        sb.Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == quote) sb.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }

        sb.Append(quote);
    }

    /// <summary>Python <c>repr(float)</c> (shortest round-trip digits, exponent when decpt &lt;= -4 or &gt; 16).</summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";

        // "E16" would not be shortest; "R" gives shortest round-trip in .NET Core 3.0+.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r.StartsWith('-');
        if (negative) r = r[1..];
        var exp = 0;
        var eIndex = r.IndexOfAny(['E', 'e']);
        if (eIndex >= 0)
        {
            exp = int.Parse(r[(eIndex + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..eIndex];
        }

        var dot = r.IndexOf('.', StringComparison.Ordinal);
        string digits;
        int decpt;
        if (dot >= 0)
        {
            digits = r[..dot] + r[(dot + 1)..];
            decpt = dot + exp;
        }
        else
        {
            digits = r;
            decpt = r.Length + exp;
        }

        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
            decpt--;
        }

        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";

        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        if (decpt <= -4 || decpt > 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            var e = decpt - 1;
            sb.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decpt <= 0)
        {
            sb.Append("0.").Append('0', -decpt).Append(digits);
        }
        else if (decpt >= digits.Length)
        {
            sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }

        return sb.ToString();
    }

    /// <summary>
    /// Python <c>re.search(pattern, text)</c>. Python-only named-group syntax (<c>(?P&lt;n&gt;</c>,
    /// <c>(?P=n)</c>) is translated; everything else used by the suite is common syntax.
    /// </summary>
    public static bool RegexSearch(string pattern, string text)
    {
        var translated = pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);
        translated = Regex.Replace(translated, @"\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)", @"\k<$1>");
        return Regex.IsMatch(text, translated, RegexOptions.None, TimeSpan.FromSeconds(5));
    }

    /// <summary>Deep-clones a node (null stays null).</summary>
    public static JsonNode? Clone(JsonNode? node) => node?.DeepClone();
}
