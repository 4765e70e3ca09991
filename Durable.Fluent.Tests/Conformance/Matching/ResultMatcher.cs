using System.Text.Json.Nodes;

namespace Durable.Fluent.Tests.Conformance.Matching;

/// <summary>Port of the validator's <c>ExpectedResult</c> check (A.2).</summary>
public static class ResultMatcher
{
    /// <summary>
    /// Compares <c>ExpectedResult.Result</c> with the actual <c>GetDurableExecution.Result</c> string:
    /// one <c>json.loads</c> (raw string if that fails, None if absent), then Python <c>==</c> against the
    /// expected value after placeholder substitution. No error when the file has no <c>Result</c> key.
    /// The caller decides whether the status allows the check; see <see cref="MatchExecution"/>.
    /// </summary>
    public static IReadOnlyList<string> Match(string? actualResultJson, ConformanceRequirement req, PlaceholderContext ctx)
    {
        ArgumentNullException.ThrowIfNull(req);
        ArgumentNullException.ThrowIfNull(ctx);
        if (!req.HasExpectedResultValue) return [];
        var expected = ctx.SubstituteNode(req.ExpectedResultValue);
        var actual = PythonJson.LoadsOrRaw(actualResultJson);
        return PythonValues.PyEquals(expected, actual)
            ? []
            : [$"Result mismatch: expected {PythonValues.PyRepr(expected)} but got {PythonValues.PyRepr(actual)}"];
    }

    /// <summary>
    /// Full ExpectedResult check: status must equal <c>ExecutionStatus</c> (on mismatch, one error and stop);
    /// the result is then checked only when the actual status is <c>SUCCEEDED</c> and a <c>Result</c> key exists.
    /// No errors when the file has no ExpectedResult (history-only mode).
    /// </summary>
    public static IReadOnlyList<string> MatchExecution(string? actualStatus, string? actualResultJson, ConformanceRequirement req, PlaceholderContext ctx)
    {
        ArgumentNullException.ThrowIfNull(req);
        ArgumentNullException.ThrowIfNull(ctx);
        if (!req.HasExpectedResult) return [];
        if (req.ExpectedStatus is not null && !string.Equals(req.ExpectedStatus, actualStatus, StringComparison.Ordinal))
        {
            return [$"ExecutionStatus mismatch: expected {req.ExpectedStatus} but got {actualStatus ?? "None"}"];
        }

        return string.Equals(actualStatus, "SUCCEEDED", StringComparison.Ordinal) ? Match(actualResultJson, req, ctx) : [];
    }
}
