using System.Text.Json.Nodes;

namespace Durable.Fluent.Tests.Conformance.Matching;

/// <summary>Kind of external callback action (A.6).</summary>
public enum CallbackOperation
{
    /// <summary>SendDurableExecutionCallbackSuccess.</summary>
    Success,
    /// <summary>SendDurableExecutionCallbackFailure.</summary>
    Failure,
    /// <summary>SendDurableExecutionCallbackHeartbeat (does not mark the callback handled).</summary>
    Heartbeat,
}

/// <summary>One <c>CallbackActions</c> item (A.6).</summary>
/// <param name="CallbackName">Literal, <c>'*'</c> or <c>${/re/}</c> (placeholders substituted when matching).</param>
/// <param name="Operation">success | failure | heartbeat (parsed case-insensitively).</param>
/// <param name="Payload">The raw (unsubstituted) YAML payload; null when absent or YAML null.</param>
/// <param name="HasPayload">True when the <c>Payload</c> key is present (even as YAML null).</param>
/// <param name="Delay">Seconds to sleep before sending; default 0.</param>
public sealed record CallbackAction(string CallbackName, CallbackOperation Operation, JsonNode? Payload, bool HasPayload, double Delay)
{
    /// <summary>
    /// True when this action applies to a <c>CallbackStarted</c> event with the given <c>Name</c>:
    /// <c>'*'</c> matches anything, <c>${/re/}</c> is <c>re.search</c> on <c>str(name)</c>, otherwise
    /// the substituted name must equal the event's name.
    /// </summary>
    public bool MatchesName(JsonNode? eventName, PlaceholderContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (CallbackName == "*") return true;
        if (PlaceholderContext.Classify(CallbackName, out var pattern) == PlaceholderForm.Regex)
        {
            return PythonValues.RegexSearch(pattern, PythonValues.PyStr(eventName));
        }

        return PythonValues.PyEquals(JsonValue.Create(ctx.Substitute(CallbackName)), eventName);
    }

    /// <summary>Payload after placeholder substitution.</summary>
    public JsonNode? ResolvePayload(PlaceholderContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return ctx.SubstituteNode(Payload);
    }

    /// <summary>
    /// For <c>success</c>: the <c>Result</c> text, <c>json.dumps(Payload)</c> after substitution, or null when
    /// no payload is given (a YAML-null payload is treated as "not given").
    /// </summary>
    public string? SuccessResultText(PlaceholderContext ctx) =>
        Payload is null ? null : PythonJson.Dumps(ResolvePayload(ctx));

    /// <summary>
    /// For <c>failure</c>: the <c>Error</c> object, keeping only ErrorType, ErrorMessage, ErrorData and StackTrace
    /// from the (substituted) mapping payload. Throws when the payload is not a mapping.
    /// </summary>
    public JsonObject FailureError(PlaceholderContext ctx)
    {
        if (ResolvePayload(ctx) is not JsonObject payload)
        {
            throw new InvalidOperationException($"failure callback action for '{CallbackName}' needs a mapping Payload");
        }

        var error = new JsonObject();
        foreach (var key in new[] { "ErrorType", "ErrorMessage", "ErrorData", "StackTrace" })
        {
            if (payload.TryGetPropertyValue(key, out var v)) error[key] = v?.DeepClone();
        }

        return error;
    }
}

/// <summary>One <c>ExpectedLogs</c> entry (A.7).</summary>
/// <param name="Match">Field → expected value (raw, unsubstituted).</param>
/// <param name="Count">Exact count, if given.</param>
/// <param name="MinCount">Minimum count, if given.</param>
/// <param name="MaxCount">Maximum count, if given.</param>
/// <param name="Before">Anchors this entry's matches must come at or before.</param>
/// <param name="After">Anchors this entry's matches must come at or after.</param>
public sealed record ExpectedLogEntry(
    JsonObject Match,
    int? Count,
    int? MinCount,
    int? MaxCount,
    IReadOnlyList<JsonObject> Before,
    IReadOnlyList<JsonObject> After)
{
    /// <summary>
    /// Parses one entry. <c>before</c>/<c>after</c> may be a list of field mappings (the suite's form), a single
    /// field mapping, or mappings wrapped as <c>{match: {...}}</c>.
    /// </summary>
    public static ExpectedLogEntry Parse(JsonNode? node)
    {
        if (node is not JsonObject obj) throw new FormatException($"ExpectedLogs entry must be a mapping: {node?.ToJsonString()}");
        var match = obj["match"] as JsonObject ?? new JsonObject();
        return new ExpectedLogEntry(
            (JsonObject)match.DeepClone(),
            OptionalInt(obj, "count"),
            OptionalInt(obj, "min_count"),
            OptionalInt(obj, "max_count"),
            Anchors(obj["before"]),
            Anchors(obj["after"]));
    }

    private static int? OptionalInt(JsonObject obj, string key)
    {
        if (!obj.TryGetPropertyValue(key, out var v) || v is null) return null;
        return PythonValues.KindOf(v) switch
        {
            PyKind.Int => (int)PythonValues.GetInt(v),
            PyKind.Float => (int)PythonValues.GetFloat(v),
            PyKind.Str => int.Parse(PythonValues.GetStr(v), System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new FormatException($"ExpectedLogs '{key}' must be a number: {v.ToJsonString()}"),
        };
    }

    private static List<JsonObject> Anchors(JsonNode? node)
    {
        var result = new List<JsonObject>();
        switch (node)
        {
            case null:
                break;
            case JsonArray arr:
                foreach (var item in arr) result.Add(Unwrap(item));
                break;
            default:
                result.Add(Unwrap(node));
                break;
        }

        return result;
    }

    private static JsonObject Unwrap(JsonNode? node)
    {
        if (node is not JsonObject obj) throw new FormatException($"ExpectedLogs anchor must be a mapping: {node?.ToJsonString()}");
        if (obj.Count == 1 && obj["match"] is JsonObject inner) return (JsonObject)inner.DeepClone();
        return (JsonObject)obj.DeepClone();
    }
}

/// <summary>One conformance requirement file (<c>shared/conformance/&lt;group&gt;/&lt;id&gt;.yaml</c>), typed as PyYAML would.</summary>
public sealed class ConformanceRequirement
{
    private ConformanceRequirement(string path, JsonObject root, Random? random)
    {
        Path = path;
        Root = root;
        Id = System.IO.Path.GetFileNameWithoutExtension(path);
        Group = new DirectoryInfo(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!).Name;
        Description = StrOrNull(root["description"]);
        Handler = StrOrNull(root["handler"]);
        Invocations = StrOrNull(root["invocations"]);
        Optional = Truthy(root["optional"]);
        AsyncInvoke = Truthy(root["AsyncInvoke"]);

        var variables = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (root["Variables"] is JsonObject vars)
        {
            foreach (var (k, v) in vars) variables[k] = v?.DeepClone();
        }

        Variables = variables;
        RawInput = root["Input"]?.DeepClone();

        HasExpectedResult = root.TryGetPropertyValue("ExpectedResult", out var er) && er is JsonObject;
        if (er is JsonObject erObj)
        {
            ExpectedStatus = erObj["ExecutionStatus"] is { } st ? PythonValues.PyStr(st) : null;
            HasExpectedResultValue = erObj.TryGetPropertyValue("Result", out var rv);
            ExpectedResultValue = rv?.DeepClone();
        }

        ExpectedHistory = root["ExpectedExecutionHistory"] is JsonArray h ? (JsonArray)h.DeepClone() : new JsonArray();

        var actions = new List<CallbackAction>();
        if (root["CallbackActions"] is JsonArray acts)
        {
            foreach (var a in acts) actions.Add(ParseAction(a));
        }

        CallbackActions = actions;

        var logs = new List<ExpectedLogEntry>();
        if (root["ExpectedLogs"] is JsonArray logArr)
        {
            foreach (var l in logArr) logs.Add(ExpectedLogEntry.Parse(l));
        }

        ExpectedLogs = logs;

        if (root["AsyncConfig"] is JsonObject asyncConfig)
        {
            if (asyncConfig["PollIntervalSeconds"] is { } p) PollIntervalSeconds = ToDouble(p);
            if (asyncConfig["NoProgressTimeoutSeconds"] is { } t) NoProgressTimeoutSeconds = ToDouble(t);
        }

        Context = CreateContext(random);
        Input = ResolveInput(Context);
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>Whole document as a Python-typed JSON tree.</summary>
    public JsonObject Root { get; }

    /// <summary>Requirement ID (file stem, e.g. <c>1-1</c>).</summary>
    public string Id { get; }

    /// <summary>Suite (folder name, e.g. <c>step</c>).</summary>
    public string Group { get; }

    /// <summary><c>description</c>.</summary>
    public string? Description { get; }

    /// <summary><c>handler</c> text (contract for the C# handler).</summary>
    public string? Handler { get; }

    /// <summary><c>invocations</c> text.</summary>
    public string? Invocations { get; }

    /// <summary><c>optional</c> (Python truthiness).</summary>
    public bool Optional { get; }

    /// <summary><c>AsyncInvoke</c> (Python truthiness; the lower-case <c>async</c> key is ignored like the validator does).</summary>
    public bool AsyncInvoke { get; }

    /// <summary>Raw <c>Variables</c> (typed YAML values, before binding).</summary>
    public IReadOnlyDictionary<string, JsonNode?> Variables { get; }

    /// <summary><c>Input</c> before substitution.</summary>
    public JsonNode? RawInput { get; }

    /// <summary>The placeholder context created at load time (Variables bound).</summary>
    public PlaceholderContext Context { get; }

    /// <summary><c>Input</c> after substitution with <see cref="Context"/>.</summary>
    public JsonNode? Input { get; }

    /// <summary>True when the file has an <c>ExpectedResult</c> mapping (false → history-only mode).</summary>
    public bool HasExpectedResult { get; }

    /// <summary><c>ExpectedResult.ExecutionStatus</c> (e.g. "SUCCEEDED").</summary>
    public string? ExpectedStatus { get; }

    /// <summary>True when <c>ExpectedResult</c> has a <c>Result</c> key (even <c>Result: null</c>).</summary>
    public bool HasExpectedResultValue { get; }

    /// <summary><c>ExpectedResult.Result</c> (raw, unsubstituted).</summary>
    public JsonNode? ExpectedResultValue { get; }

    /// <summary><c>ExpectedExecutionHistory</c> (raw, unsubstituted).</summary>
    public JsonArray ExpectedHistory { get; }

    /// <summary><c>CallbackActions</c>.</summary>
    public IReadOnlyList<CallbackAction> CallbackActions { get; }

    /// <summary><c>ExpectedLogs</c>.</summary>
    public IReadOnlyList<ExpectedLogEntry> ExpectedLogs { get; }

    /// <summary><c>AsyncConfig.PollIntervalSeconds</c> (default 2.0).</summary>
    public double PollIntervalSeconds { get; } = 2.0;

    /// <summary><c>AsyncConfig.NoProgressTimeoutSeconds</c> (default 30.0).</summary>
    public double NoProgressTimeoutSeconds { get; } = 30.0;

    /// <summary>A fresh context for one run with this file's Variables bound.</summary>
    public PlaceholderContext CreateContext(Random? random = null) => new(Variables, random);

    /// <summary>Input after substitution with <paramref name="ctx"/>.</summary>
    public JsonNode? ResolveInput(PlaceholderContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return ctx.SubstituteNode(RawInput);
    }

    /// <summary>Loads one requirement file.</summary>
    /// <param name="path">Path to <c>&lt;group&gt;/&lt;id&gt;.yaml</c>.</param>
    /// <param name="random">Source for <c>${GEN_STR:N}</c> in <see cref="Context"/>; null = cryptographic RNG.</param>
    public static ConformanceRequirement Load(string path, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var root = PyYamlLoader.LoadText(File.ReadAllText(path)) as JsonObject
            ?? throw new FormatException($"{path}: top level is not a mapping");
        return new ConformanceRequirement(path, root, random);
    }

    /// <summary>Loads every <c>*.yaml</c> under <paramref name="conformanceRoot"/> (recursive), ordered by path.</summary>
    public static IReadOnlyList<ConformanceRequirement> LoadAll(string conformanceRoot, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(conformanceRoot);
        return Directory.EnumerateFiles(conformanceRoot, "*.yaml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(p => Load(p, random))
            .ToList();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Group}/{Id}";

    private static CallbackAction ParseAction(JsonNode? node)
    {
        if (node is not JsonObject a) throw new FormatException($"CallbackActions item must be a mapping: {node?.ToJsonString()}");
        var name = a["CallbackName"] is { } n ? PythonValues.PyStr(n) : throw new FormatException("CallbackActions item needs CallbackName");
        var opText = a["Operation"] is { } o ? PythonValues.PyStr(o) : throw new FormatException("CallbackActions item needs Operation");
        var op = opText.ToLowerInvariant() switch
        {
            "success" => CallbackOperation.Success,
            "failure" => CallbackOperation.Failure,
            "heartbeat" => CallbackOperation.Heartbeat,
            _ => throw new FormatException($"Unknown callback Operation '{opText}'"),
        };
        var hasPayload = a.TryGetPropertyValue("Payload", out var payload);
        var delay = a["Delay"] is { } d ? ToDouble(d) : 0.0;
        return new CallbackAction(name, op, payload?.DeepClone(), hasPayload, delay);
    }

    private static double ToDouble(JsonNode node) => PythonValues.KindOf(node) switch
    {
        PyKind.Int or PyKind.Bool => (double)PythonValues.GetInt(node),
        PyKind.Float => PythonValues.GetFloat(node),
        PyKind.Str => double.Parse(PythonValues.GetStr(node), System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new FormatException($"Not a number: {node.ToJsonString()}"),
    };

    private static string? StrOrNull(JsonNode? node) => node is null ? null : PythonValues.PyStr(node);

    /// <summary>Python truthiness.</summary>
    internal static bool Truthy(JsonNode? node) => PythonValues.KindOf(node) switch
    {
        PyKind.None => false,
        PyKind.Bool => PythonValues.GetBool(node!),
        PyKind.Int => !PythonValues.GetInt(node!).IsZero,
        PyKind.Float => PythonValues.GetFloat(node!) != 0,
        PyKind.Str => PythonValues.GetStr(node!).Length > 0,
        PyKind.List => node!.AsArray().Count > 0,
        PyKind.Dict => node!.AsObject().Count > 0,
        _ => false,
    };
}
