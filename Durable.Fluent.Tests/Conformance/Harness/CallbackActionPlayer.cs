using System.Text.Json.Nodes;
using Durable.Fluent.Testing;
using Durable.Fluent.Tests.Conformance.Matching;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Conformance.Harness;

/// <summary>
/// Plays a requirement's CallbackActions through the runner's declared responders, on the virtual clock: each action becomes a
/// <see cref="CallbackResponder"/> (same order, name test of A.6, delay, json.dumps payload), and the runner schedules them per
/// history-events §4.3.
/// </summary>
internal static class CallbackActionPlayer
{
    public static void Configure(DurableTestRunner runner, ConformanceRequirement req)
    {
        foreach (var action in req.CallbackActions)
        {
            var response = action.Operation switch
            {
                CallbackOperation.Success => CallbackResponse.Succeed(action.SuccessResultText(req.Context)),
                CallbackOperation.Failure => CallbackResponse.Fail(ToError(action.FailureError(req.Context))),
                _ => CallbackResponse.Heartbeat(),
            };
            var a = action;
            runner.RespondToCallback(new CallbackResponder(action.CallbackName, response.After(TimeSpan.FromSeconds(action.Delay)))
            {
                NameMatches = name => a.MatchesName(name is null ? null : JsonValue.Create(name), req.Context),
            });
        }
    }

    private static ErrorObject ToError(JsonObject error) => new()
    {
        ErrorType = error["ErrorType"]?.ToString(),
        ErrorMessage = error["ErrorMessage"]?.ToString(),
        ErrorData = error["ErrorData"] is { } d ? (d is JsonValue v && v.TryGetValue<string>(out var s) ? s : d.ToJsonString()) : null,
        StackTrace = error["StackTrace"] is JsonArray st ? st.Select(x => x?.ToString() ?? string.Empty).ToList() : null,
    };
}
