using System.Globalization;
using System.Text.Json.Nodes;

namespace Durable.Fluent.Tests.Conformance.Matching;

/// <summary>
/// Port of the validator's history matching (A.4): expected events are matched to actual events by
/// <c>EventId</c> with a recursive subset comparison; order and extra events are not checked directly.
/// </summary>
public static class HistoryMatcher
{
    /// <summary>
    /// Matches <paramref name="expected"/> (the raw <c>ExpectedExecutionHistory</c>) against the actual
    /// <c>Events</c>. Auto-binds unbound whole-value <c>${NAME}</c> placeholders into <paramref name="ctx"/>.
    /// Returns every error found (empty = match).
    /// </summary>
    public static IReadOnlyList<string> Match(JsonArray expected, IReadOnlyList<JsonObject> actualEvents, PlaceholderContext ctx)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actualEvents);
        ArgumentNullException.ThrowIfNull(ctx);

        // Index by EventId; a later event with the same id wins. Events without EventId cannot be found.
        var byId = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var ev in actualEvents)
        {
            if (ev.TryGetPropertyValue("EventId", out var id) && KeyOf(id) is { } key) byId[key] = ev;
        }

        var errors = new List<string>();
        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i] is not JsonObject exp)
            {
                errors.Add($"Expected event #{i} is not a mapping: {PythonValues.PyRepr(expected[i])}");
                continue;
            }

            if (!exp.TryGetPropertyValue("EventId", out var expectedId) || expectedId is null)
            {
                errors.Add($"Expected event #{i} has no EventId");
                continue;
            }

            var idText = PythonValues.PyStr(expectedId);
            if (KeyOf(expectedId) is not { } k || !byId.TryGetValue(k, out var actual))
            {
                errors.Add($"No actual event found for EventId={idText}");
                continue;
            }

            Compare(exp, actual, "$", idText, ctx, errors);
        }

        return errors;
    }

    /// <summary>
    /// Recursive comparison with the validator's precedence: <c>{}</c>, <c>'*'</c>, whole <c>${NAME}</c>,
    /// <c>${/re/}</c>, dict subset, list equal length, else substituted Python <c>==</c>.
    /// </summary>
    public static void Compare(JsonNode? expected, JsonNode? actual, string path, string eventId, PlaceholderContext ctx, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(errors);

        if (expected is JsonObject { Count: 0 }) return;

        if (PythonValues.TryGetStr(expected, out var text))
        {
            if (text == "*") return;
            switch (PlaceholderContext.Classify(text, out var inner))
            {
                case PlaceholderForm.Name:
                    if (ctx.BindOrCheck(inner, actual) is { } bindError) errors.Add($"EventId={eventId} {path}: {bindError}");
                    return;
                case PlaceholderForm.Regex:
                    var subject = PythonValues.PyStr(actual);
                    if (!PythonValues.RegexSearch(inner, subject))
                    {
                        errors.Add($"EventId={eventId} {path}: {PythonValues.PyRepr(JsonValue.Create(subject))} does not match regex /{inner}/");
                    }

                    return;
            }
        }

        if (expected is JsonObject expObj && actual is JsonObject actObj)
        {
            foreach (var (key, expValue) in expObj)
            {
                var childPath = path + "." + key;
                if (!actObj.TryGetPropertyValue(key, out var actValue))
                {
                    errors.Add($"EventId={eventId} {childPath}: key missing in actual event");
                    continue;
                }

                Compare(expValue, actValue, childPath, eventId, ctx, errors);
            }

            return;
        }

        if (expected is JsonArray expArr && actual is JsonArray actArr)
        {
            if (expArr.Count != actArr.Count)
            {
                errors.Add($"EventId={eventId} {path}: expected list of length {expArr.Count} but got {actArr.Count}");
                return;
            }

            for (var i = 0; i < expArr.Count; i++)
            {
                Compare(expArr[i], actArr[i], path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", eventId, ctx, errors);
            }

            return;
        }

        var resolved = ctx.SubstituteNode(expected);
        if (!PythonValues.PyEquals(resolved, actual))
        {
            errors.Add($"EventId={eventId} {path}: expected {PythonValues.PyRepr(resolved)} but got {PythonValues.PyRepr(actual)}");
        }
    }

    /// <summary>
    /// A.4.10 (async polling only): returns copies of the events where every <c>CallbackStarted</c>,
    /// <c>StepStarted</c> or <c>StepSucceeded</c> event without a <c>Name</c> whose parent (the event with
    /// <c>Id == ParentId</c>) has <c>SubType: WaitForCallback</c> gets the parent's <c>Name</c>.
    /// </summary>
    public static IReadOnlyList<JsonObject> FillWaitForCallbackNames(IReadOnlyList<JsonObject> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var parentNames = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var ev in events)
        {
            if (PythonValues.TryGetStr(ev["SubType"], out var sub) && sub == "WaitForCallback"
                && PythonValues.TryGetStr(ev["Id"], out var id) && ev.TryGetPropertyValue("Name", out var name) && name is not null)
            {
                parentNames[id] = name;
            }
        }

        var result = new List<JsonObject>(events.Count);
        foreach (var ev in events)
        {
            var copy = (JsonObject)ev.DeepClone();
            if (PythonValues.TryGetStr(copy["EventType"], out var type)
                && type is "CallbackStarted" or "StepStarted" or "StepSucceeded"
                && copy["Name"] is null
                && PythonValues.TryGetStr(copy["ParentId"], out var parentId)
                && parentNames.TryGetValue(parentId, out var parentName))
            {
                copy["Name"] = parentName?.DeepClone();
            }

            result.Add(copy);
        }

        return result;
    }

    /// <summary>Python dict-key identity for EventId values (2 and 2.0 and True==1 collide; '2' does not).</summary>
    private static string? KeyOf(JsonNode? id)
    {
        switch (PythonValues.KindOf(id))
        {
            case PyKind.Int:
            case PyKind.Bool:
                return "n:" + PythonValues.GetInt(id!).ToString(CultureInfo.InvariantCulture);
            case PyKind.Float:
                {
                    var f = PythonValues.GetFloat(id!);
                    return !double.IsNaN(f) && !double.IsInfinity(f) && Math.Floor(f) == f
                        ? "n:" + new System.Numerics.BigInteger(f).ToString(CultureInfo.InvariantCulture)
                        : "f:" + PythonValues.FloatRepr(f);
                }

            case PyKind.Str:
                return "s:" + PythonValues.GetStr(id!);
            default:
                return null;
        }
    }
}
