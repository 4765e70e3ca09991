using System.Text.Json.Nodes;
using Durable.Fluent.Serialization;
using Durable.Fluent.Tests.Conformance.Harness;

namespace Durable.Fluent.Tests.Conformance.Handlers;

/// <summary>Handlers of the `callback` group (4-x): typed callback handles, created early and awaited later.</summary>
internal static class CallbackHandlers
{
    private static readonly OperationName FromInput = OperationName.FromInput<string>(s => s);

    [Requirement("4-1")]
    public static ConformanceCase Basic()
    {
        var cb = Callback.Declare<string>(FromInput);
        return ConformanceCase.Of(Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Build());
    }

    [Requirement("4-2")]
    public static ConformanceCase StaticName()
    {
        var cb = Callback.Declare<string>("approval");
        return ConformanceCase.Of(Workflow.For<JsonNode?>().CreateCallback(cb).AwaitCallback(cb).Build());
    }

    [Requirement("4-4")]
    public static ConformanceCase HeartbeatTimeout()
    {
        var cb = Callback.Declare<string>(FromInput, c => c.HeartbeatTimeout(TimeSpan.FromSeconds(5)));
        return ConformanceCase.Of(Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Build());
    }

    [Requirement("4-5")]
    public static ConformanceCase HeartbeatThenSuccess()
    {
        var cb = Callback.Declare<string>(FromInput, c => c.HeartbeatTimeout(TimeSpan.FromSeconds(10)));
        return ConformanceCase.Of(Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Build());
    }

    [Requirement("4-6")]
    public static ConformanceCase ExternalFailure()
    {
        var cb = Callback.Declare<string>(FromInput);
        return ConformanceCase.Of(Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Build());
    }

    [Requirement("4-7")]
    public static ConformanceCase StepBetweenThenFailure()
    {
        var cb = Callback.Declare<string>(FromInput);
        return ConformanceCase.Of(Workflow.For<string>()
            .CreateCallback(cb)
            .Then("notify", (name, ctx) => $"sent {ctx.CallbackId(cb).Length} chars")
            .AwaitCallback(cb)
            .Build());
    }

    [Requirement("4-8")]
    public static ConformanceCase StepBetweenThenTimeout()
    {
        var cb = Callback.Declare<string>(FromInput, c => c.Timeout(TimeSpan.FromSeconds(5)));
        return ConformanceCase.Of(Workflow.For<string>()
            .CreateCallback(cb)
            .Then("notify", (name, _) => name)
            .AwaitCallback(cb)
            .Build());
    }

    [Requirement("4-9")]
    [Requirement("4-10")]
    public static ConformanceCase WaitBetween()
    {
        var cb = Callback.Declare<string>(FromInput);
        return ConformanceCase.Of(Workflow.For<string>().CreateCallback(cb).Wait(TimeSpan.FromSeconds(5)).AwaitCallback(cb).Build());
    }

    [Requirement("4-11")]
    public static ConformanceCase TimeoutDuringWait()
    {
        var cb = Callback.Declare<string>(FromInput, c => c.Timeout(TimeSpan.FromSeconds(3)));
        return ConformanceCase.Of(Workflow.For<string>().CreateCallback(cb).Wait(TimeSpan.FromSeconds(6)).AwaitCallback(cb).Build());
    }

    [Requirement("4-12")]
    public static ConformanceCase SuccessThenWait()
    {
        var cb = Callback.Declare<string>(FromInput);
        return ConformanceCase.Of(Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Wait(TimeSpan.FromSeconds(2)).Build());
    }

    [Requirement("4-14")]
    public static ConformanceCase TimeoutCaughtThenWait()
    {
        var cb = Callback.Declare<string>(FromInput, c => c.Timeout(TimeSpan.FromSeconds(3)));
        return ConformanceCase.Of(Workflow.For<string>()
            .CreateCallback(cb)
            .Try(b => b.AwaitCallback(cb), h => h.Catch<CallbackTimedOutException>((ex, _) => $"callback error: {ex.ErrorType}"))
            .Wait(TimeSpan.FromSeconds(2))
            .Build());
    }

    [Requirement("4-15")]
    public static ConformanceCase CustomSerDesObject()
    {
        var cb = Callback.Declare<JsonObject>(FromInput, c => c.SerializeWith(new DateToEpoch()));
        return ConformanceCase.Of(Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Select(o => new JsonObject { ["received"] = o }).Build());
    }

    [Requirement("4-16")]
    public static ConformanceCase CustomSerDesNumber()
    {
        var cb = Callback.Declare<int>(FromInput, c => c.SerializeWith(new IntSerDes()));
        return ConformanceCase.Of(Workflow.For<string>().CreateCallback(cb).AwaitCallback(cb).Select(n => new { count = n, doubled = n * 2 }).Build());
    }

    [Requirement("4-17")]
    public static ConformanceCase SequentialCallbacks()
    {
        var a = Callback.Declare<string>(OperationName.FromInput<string[]>(n => n[0]));
        var b = Callback.Declare<string>(OperationName.FromInput<string[]>(n => n[1]));
        return ConformanceCase.Of(Workflow.For<string[]>()
            .CreateCallback(a)
            .AwaitCallback(a)
            .CreateCallback(b)
            .AwaitCallbackAndCombine(b, (ra, rb) => new[] { ra, rb })
            .Build());
    }

    [Requirement("4-18")]
    public static ConformanceCase CreateBothThenAwait()
    {
        var a = Callback.Declare<string>(OperationName.FromInput<string[]>(n => n[0]));
        var b = Callback.Declare<string>(OperationName.FromInput<string[]>(n => n[1]));
        return ConformanceCase.Of(Workflow.For<string[]>()
            .CreateCallback(a)
            .CreateCallback(b)
            .AwaitCallback(a)
            .AwaitCallbackAndCombine(b, (ra, rb) => new[] { ra, rb })
            .Build());
    }

    /// <summary>Parses the raw JSON and turns its ISO <c>timestamp</c> into epoch seconds.</summary>
    private sealed class DateToEpoch : ISerDes<JsonObject>
    {
        public string? Serialize(JsonObject value, SerDesContext context) => value.ToJsonString();

        public JsonObject Deserialize(string? payload, SerDesContext context)
        {
            var o = JsonNode.Parse(payload!)!.AsObject();
            var ts = DateTimeOffset.Parse(o["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            return new JsonObject { ["id"] = o["id"]?.DeepClone(), ["message"] = o["message"]?.DeepClone(), ["timestamp"] = ts.ToUnixTimeSeconds() };
        }
    }

    private sealed class IntSerDes : ISerDes<int>
    {
        public string? Serialize(int value, SerDesContext context) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public int Deserialize(string? payload, SerDesContext context) => int.Parse(payload!, System.Globalization.CultureInfo.InvariantCulture);
    }
}
