using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Durable.Fluent.Tests.Conformance.Matching;

/// <summary>How a whole expected string is read by the placeholder language (A.3).</summary>
public enum PlaceholderForm
{
    /// <summary>Not a whole-value placeholder.</summary>
    None,
    /// <summary><c>${NAME}</c> (greedy <c>^\$\{(.+)\}$</c>, so <c>${A}-${B}</c> is one name).</summary>
    Name,
    /// <summary><c>${/regex/}</c>.</summary>
    Regex,
}

/// <summary>
/// The single placeholder context of one requirement run (A.3): Variables, IDs auto-bound during history
/// matching, <c>${NAME}</c> substitution and <c>${/regex/}</c> recognition.
/// </summary>
public sealed partial class PlaceholderContext
{
    /// <summary>Alphabet used by <c>${GEN_STR:N}</c>.</summary>
    public const string GenStrAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    private readonly Dictionary<string, JsonNode?> _bindings = new(StringComparer.Ordinal);
    private readonly Random? _random;

    /// <summary>Creates an empty context.</summary>
    /// <param name="random">Source for <c>${GEN_STR:N}</c>; null uses a cryptographic RNG like the validator.</param>
    public PlaceholderContext(Random? random = null)
    {
        _random = random;
    }

    /// <summary>Creates a context and binds <paramref name="variables"/>.</summary>
    public PlaceholderContext(IReadOnlyDictionary<string, JsonNode?>? variables, Random? random = null)
        : this(random)
    {
        if (variables is not null) BindVariables(variables);
    }

    /// <summary>Current bindings (Variables as strings; auto-bound IDs as the actual value of any type).</summary>
    public IReadOnlyDictionary<string, JsonNode?> Bindings => _bindings;

    [GeneratedRegex(@"^\$\{GEN_STR:(\d+)\}$")]
    private static partial Regex GenStrRegex();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex InlineNameRegex();

    [GeneratedRegex(@"^\$\{(.+)\}$")]
    private static partial Regex WholePlaceholderRegex();

    /// <summary>
    /// Binds every Variables entry: a whole-value <c>${GEN_STR:N}</c> becomes N random chars from
    /// <c>[a-z0-9]</c>; any other value is bound as Python <c>str(value)</c> (True → "True", None → "None").
    /// Variables do not refer to each other (values are bound literally).
    /// </summary>
    public void BindVariables(IReadOnlyDictionary<string, JsonNode?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        foreach (var (name, value) in variables)
        {
            string bound;
            if (PythonValues.TryGetStr(value, out var text) && GenStrRegex().Match(text) is { Success: true } m)
            {
                bound = GenerateString(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                bound = PythonValues.PyStr(value);
            }

            _bindings[name] = JsonValue.Create(bound);
        }
    }

    /// <summary>N random characters from <c>[a-z0-9]</c>.</summary>
    public string GenerateString(int length)
    {
        if (_random is null) return RandomNumberGenerator.GetString(GenStrAlphabet, length);
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = GenStrAlphabet[_random.Next(GenStrAlphabet.Length)];
        return new string(chars);
    }

    /// <summary>True when <paramref name="name"/> is bound.</summary>
    public bool IsBound(string name) => _bindings.ContainsKey(name);

    /// <summary>Gets a binding.</summary>
    public bool TryGetBinding(string name, out JsonNode? value) => _bindings.TryGetValue(name, out value);

    /// <summary>Binds (or rebinds) <paramref name="name"/> to a copy of <paramref name="value"/>.</summary>
    public void Bind(string name, JsonNode? value) => _bindings[name] = value?.DeepClone();

    /// <summary>
    /// Replaces every bound <c>${NAME}</c> (NAME = <c>[A-Za-z_][A-Za-z0-9_]*</c>) with <c>str(value)</c>;
    /// unknown <c>${…}</c> text is left untouched.
    /// </summary>
    public string Substitute(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("${", StringComparison.Ordinal)) return text;
        return InlineNameRegex().Replace(text, m =>
            _bindings.TryGetValue(m.Groups[1].Value, out var v) ? PythonValues.PyStr(v) : m.Value);
    }

    /// <summary>Returns a copy of <paramref name="node"/> with <see cref="Substitute(string)"/> applied to every string value (not to keys).</summary>
    public JsonNode? SubstituteNode(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                {
                    var copy = new JsonObject();
                    foreach (var (key, value) in obj) copy[key] = SubstituteNode(value);
                    return copy;
                }

            case JsonArray arr:
                {
                    var copy = new JsonArray();
                    foreach (var item in arr) copy.Add(SubstituteNode(item));
                    return copy;
                }

            default:
                return PythonValues.TryGetStr(node, out var s) ? JsonValue.Create(Substitute(s)) : node.DeepClone();
        }
    }

    /// <summary>
    /// Classifies a whole expected string: <c>${/re/}</c> → <see cref="PlaceholderForm.Regex"/> with the
    /// pattern; any other <c>^\$\{(.+)\}$</c> → <see cref="PlaceholderForm.Name"/> with the (greedy) name.
    /// </summary>
    public static PlaceholderForm Classify(string text, out string nameOrPattern)
    {
        ArgumentNullException.ThrowIfNull(text);
        var m = WholePlaceholderRegex().Match(text);
        if (!m.Success)
        {
            nameOrPattern = string.Empty;
            return PlaceholderForm.None;
        }

        var inner = m.Groups[1].Value;
        if (inner.Length >= 2 && inner[0] == '/' && inner[^1] == '/')
        {
            nameOrPattern = inner[1..^1];
            return PlaceholderForm.Regex;
        }

        nameOrPattern = inner;
        return PlaceholderForm.Name;
    }

    /// <summary>
    /// Whole-value <c>${NAME}</c> semantics: if bound, the actual value must be Python-equal to the binding;
    /// otherwise binds it to <paramref name="actual"/> (any type, null included).
    /// Returns null on success or an error text.
    /// </summary>
    public string? BindOrCheck(string name, JsonNode? actual)
    {
        if (_bindings.TryGetValue(name, out var bound))
        {
            return PythonValues.PyEquals(bound, actual)
                ? null
                : $"placeholder ${{{name}}} previously bound to {PythonValues.PyRepr(bound)} but got {PythonValues.PyRepr(actual)}";
        }

        Bind(name, actual);
        return null;
    }
}
