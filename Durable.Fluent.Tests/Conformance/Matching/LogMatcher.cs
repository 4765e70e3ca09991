using System.Globalization;
using System.Text.Json.Nodes;

namespace Durable.Fluent.Tests.Conformance.Matching;

/// <summary>
/// Port of the validator's <c>ExpectedLogs</c> check (A.7) over captured structured log records.
/// </summary>
/// <remarks>
/// Assumption: the harness's in-memory sink stamps each record with an integer ordering key
/// <c>"__seq"</c> (<see cref="SequenceKey"/>) standing in for CloudWatch's <c>(timestamp, ingestionTime)</c>
/// sort key; records with equal <c>__seq</c> are "concurrent". A record without <c>__seq</c> uses its index
/// in the list. Records are evaluated in sort-key order. Fields are looked up at the top level of each record;
/// a missing field never matches.
/// </remarks>
public static class LogMatcher
{
    /// <summary>Name of the ordering key each record carries.</summary>
    public const string SequenceKey = "__seq";

    /// <summary>Checks every expected entry against <paramref name="records"/>. Returns all errors (empty = pass).</summary>
    public static IReadOnlyList<string> Match(IReadOnlyList<JsonObject> records, IReadOnlyList<ExpectedLogEntry> expectedLogs, PlaceholderContext ctx)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(expectedLogs);
        ArgumentNullException.ThrowIfNull(ctx);

        var ordered = records
            .Select((r, i) => (Record: r, Key: SortKey(r, i)))
            .OrderBy(x => x.Key)
            .ToList();

        var errors = new List<string>();
        for (var e = 0; e < expectedLogs.Count; e++)
        {
            var entry = expectedLogs[e];
            var label = $"ExpectedLogs[{e}] {PythonValues.PyRepr(ctx.SubstituteNode(entry.Match))}";
            var matches = ordered.Where(x => RecordMatches(x.Record, entry.Match, ctx)).Select(x => x.Key).ToList();
            var n = matches.Count;

            if (entry.Count is { } exact && n != exact) errors.Add($"{label}: expected count {exact} but found {n}");
            if (entry.MinCount is { } min && n < min) errors.Add($"{label}: expected at least {min} but found {n}");
            if (entry.MaxCount is { } max && n > max) errors.Add($"{label}: expected at most {max} but found {n}");
            if (entry.Count is null && entry.MinCount is null && entry.MaxCount is null && n == 0)
            {
                errors.Add($"{label}: expected at least one matching record but found none");
            }

            CheckAnchors(entry.After, isAfter: true, matches, ordered, ctx, label, errors);
            CheckAnchors(entry.Before, isAfter: false, matches, ordered, ctx, label, errors);
        }

        return errors;
    }

    private static void CheckAnchors(
        IReadOnlyList<JsonObject> anchors,
        bool isAfter,
        List<long> matches,
        List<(JsonObject Record, long Key)> ordered,
        PlaceholderContext ctx,
        string label,
        List<string> errors)
    {
        var word = isAfter ? "after" : "before";
        foreach (var anchor in anchors)
        {
            var anchorKeys = ordered.Where(x => RecordMatches(x.Record, anchor, ctx)).Select(x => x.Key).ToList();
            var anchorLabel = PythonValues.PyRepr(ctx.SubstituteNode(anchor));
            if (anchorKeys.Count == 0)
            {
                errors.Add($"{label}: '{word}' anchor {anchorLabel} matched no records");
                continue;
            }

            // Equal sort keys are concurrent and pass either way; report the first violating pair.
            var violation = matches
                .SelectMany(m => anchorKeys.Select(a => (Match: m, Anchor: a)))
                .Where(p => isAfter ? p.Match < p.Anchor : p.Match > p.Anchor)
                .Select(p => ((long Match, long Anchor)?)p)
                .FirstOrDefault();
            if (violation is { } bad)
            {
                errors.Add($"{label}: matching record with {SequenceKey}={bad.Match} is not {word} anchor {anchorLabel} record with {SequenceKey}={bad.Anchor}");
            }
        }
    }

    /// <summary>True when every field of <paramref name="match"/> holds for <paramref name="record"/> (A.7 field rules).</summary>
    public static bool RecordMatches(JsonObject record, JsonObject match, PlaceholderContext ctx)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(ctx);
        foreach (var (field, expected) in match)
        {
            if (!record.TryGetPropertyValue(field, out var actual)) return false;
            if (!FieldMatches(expected, actual, ctx)) return false;
        }

        return true;
    }

    /// <summary>
    /// One field: a string is substituted and stripped; <c>/re/</c> is <c>re.search</c> on the stripped
    /// <c>str(actual)</c>, otherwise the stripped <c>str(actual)</c> must equal it. A bool needs the same JSON bool.
    /// A number is compared numerically with a JSON number or a numeric string (bools excluded).
    /// Anything else (null, mapping, list) uses Python <c>==</c> after substitution.
    /// </summary>
    public static bool FieldMatches(JsonNode? expected, JsonNode? actual, PlaceholderContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        switch (PythonValues.KindOf(expected))
        {
            case PyKind.Str:
                {
                    var e = ctx.Substitute(PythonValues.GetStr(expected!)).Trim();
                    var a = PythonValues.PyStr(actual).Trim();
                    if (e.Length >= 2 && e[0] == '/' && e[^1] == '/') return PythonValues.RegexSearch(e[1..^1], a);
                    return string.Equals(e, a, StringComparison.Ordinal);
                }

            case PyKind.Bool:
                return PythonValues.KindOf(actual) == PyKind.Bool && PythonValues.GetBool(actual!) == PythonValues.GetBool(expected!);
            case PyKind.Int:
            case PyKind.Float:
                {
                    if (!TryNumber(actual, out var actualNumber)) return false;
                    return PythonValues.PyEquals(expected, actualNumber);
                }

            default:
                return PythonValues.PyEquals(ctx.SubstituteNode(expected), actual);
        }
    }

    private static bool TryNumber(JsonNode? actual, out JsonNode? number)
    {
        number = null;
        switch (PythonValues.KindOf(actual))
        {
            case PyKind.Int:
            case PyKind.Float:
                number = actual;
                return true;
            case PyKind.Str:
                {
                    var s = PythonValues.GetStr(actual!).Trim();
                    if (System.Numerics.BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
                    {
                        number = PyYamlLoader.IntNode(i);
                        return true;
                    }

                    if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                    {
                        number = JsonValue.Create(d);
                        return true;
                    }

                    return false;
                }

            default:
                return false;
        }
    }

    private static long SortKey(JsonObject record, int index)
    {
        if (record.TryGetPropertyValue(SequenceKey, out var seq) && PythonValues.KindOf(seq) == PyKind.Int)
        {
            return (long)PythonValues.GetInt(seq!);
        }

        return index;
    }
}
