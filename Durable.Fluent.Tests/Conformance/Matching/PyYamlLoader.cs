using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Durable.Fluent.Tests.Conformance.Matching;

/// <summary>
/// Converts YamlDotNet representation nodes to <see cref="JsonNode"/> values typed the way Python
/// <c>yaml.safe_load</c> (PyYAML, YAML 1.1 implicit resolver) types them.
/// </summary>
/// <remarks>
/// Plain scalars: <c>null|Null|NULL|~|</c>(empty) → null;
/// <c>yes/no/true/false/on/off</c> (lower, Capitalised, UPPER) → bool;
/// YAML 1.1 ints (decimal, <c>0b</c>, leading-0 octal, <c>0x</c>, sexagesimal <c>1:30</c>, underscores) → int;
/// YAML 1.1 floats (need a '.', exponent needs a sign, <c>.inf</c>, <c>.nan</c>, sexagesimal) → float;
/// anything else → str. Quoted, literal and folded scalars are always str.
/// Explicit <c>!!str/!!int/!!float/!!bool/!!null</c> tags are honoured.
/// Deviation: PyYAML turns <c>2001-12-14</c>-style timestamps into datetime objects; here they stay strings
/// (no suite file uses one). Mapping keys are used as their scalar text.
/// </remarks>
public static partial class PyYamlLoader
{
    [GeneratedRegex(@"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")]
    private static partial Regex BoolRegex();

    [GeneratedRegex(@"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$")]
    private static partial Regex IntRegex();

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")]
    private static partial Regex FloatRegex();

    [GeneratedRegex(@"^(?:~|null|Null|NULL|)$")]
    private static partial Regex NullRegex();

    /// <summary>Loads the first document of a YAML text as a Python-typed JSON tree.</summary>
    public static JsonNode? LoadText(string yaml)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(yaml);
        stream.Load(reader);
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    /// <summary>Converts one YAML node.</summary>
    public static JsonNode? Convert(YamlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        switch (node)
        {
            case YamlMappingNode map:
                {
                    var obj = new JsonObject();
                    foreach (var (key, value) in map.Children)
                    {
                        var keyText = key is YamlScalarNode ks ? ks.Value ?? string.Empty : key.ToString();
                        obj[keyText] = Convert(value); // later duplicate keys win, as in PyYAML
                    }

                    return obj;
                }

            case YamlSequenceNode seq:
                {
                    var arr = new JsonArray();
                    foreach (var item in seq.Children) arr.Add(Convert(item));
                    return arr;
                }

            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                throw new NotSupportedException($"Unsupported YAML node {node.NodeType} at {node.Start}");
        }
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        var tag = scalar.Tag.IsEmpty || scalar.Tag.IsNonSpecific ? null : scalar.Tag.Value;
        switch (tag)
        {
            case "tag:yaml.org,2002:str":
                return JsonValue.Create(text);
            case "tag:yaml.org,2002:int":
                return IntNode(ParseInt(text));
            case "tag:yaml.org,2002:float":
                return JsonValue.Create(ParseFloat(text));
            case "tag:yaml.org,2002:bool":
                return JsonValue.Create(ParseBool(text));
            case "tag:yaml.org,2002:null":
                return null;
        }

        if (scalar.Style != ScalarStyle.Plain && scalar.Style != ScalarStyle.Any) return JsonValue.Create(text);
        return ResolvePlain(text);
    }

    /// <summary>Resolves a plain (unquoted) scalar with the PyYAML 1.1 implicit resolvers.</summary>
    public static JsonNode? ResolvePlain(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (NullRegex().IsMatch(text)) return null;
        if (BoolRegex().IsMatch(text)) return JsonValue.Create(ParseBool(text));
        if (IntRegex().IsMatch(text)) return IntNode(ParseInt(text));
        if (FloatRegex().IsMatch(text)) return JsonValue.Create(ParseFloat(text));
        return JsonValue.Create(text);
    }

    /// <summary>Makes a JSON node for a Python int (long when it fits, else BigInteger).</summary>
    public static JsonNode IntNode(BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue ? JsonValue.Create((long)value) : JsonValue.Create<BigInteger>(value)!;

    private static bool ParseBool(string text) =>
        text.ToLowerInvariant() is "yes" or "true" or "on";

    private static BigInteger ParseInt(string text)
    {
        var v = text.Replace("_", string.Empty, StringComparison.Ordinal);
        var sign = BigInteger.One;
        if (v.StartsWith('-'))
        {
            sign = BigInteger.MinusOne;
            v = v[1..];
        }
        else if (v.StartsWith('+'))
        {
            v = v[1..];
        }

        BigInteger result;
        if (v == "0")
        {
            result = BigInteger.Zero;
        }
        else if (v.StartsWith("0b", StringComparison.Ordinal))
        {
            result = ParseRadix(v[2..], 2);
        }
        else if (v.StartsWith("0x", StringComparison.Ordinal))
        {
            result = ParseRadix(v[2..], 16);
        }
        else if (v.StartsWith('0'))
        {
            result = ParseRadix(v[1..], 8);
        }
        else if (v.Contains(':', StringComparison.Ordinal))
        {
            result = BigInteger.Zero;
            foreach (var part in v.Split(':')) result = (result * 60) + BigInteger.Parse(part, CultureInfo.InvariantCulture);
        }
        else
        {
            result = BigInteger.Parse(v, CultureInfo.InvariantCulture);
        }

        return sign * result;
    }

    private static BigInteger ParseRadix(string digits, int radix)
    {
        if (digits.Length == 0) throw new FormatException("YAML int has no digits");
        var result = BigInteger.Zero;
        foreach (var c in digits)
        {
            var d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => throw new FormatException($"Bad digit '{c}'"),
            };
            result = (result * radix) + d;
        }

        return result;
    }

    private static double ParseFloat(string text)
    {
        var v = text.Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        var sign = 1.0;
        if (v.StartsWith('-'))
        {
            sign = -1.0;
            v = v[1..];
        }
        else if (v.StartsWith('+'))
        {
            v = v[1..];
        }

        if (v == ".inf") return sign * double.PositiveInfinity;
        if (v == ".nan") return double.NaN;
        if (v.Contains(':', StringComparison.Ordinal))
        {
            var value = 0.0;
            foreach (var part in v.Split(':')) value = (value * 60) + double.Parse(part, NumberStyles.Float, CultureInfo.InvariantCulture);
            return sign * value;
        }

        return sign * double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
