using System.Text.Json.Nodes;
using Durable.Fluent.Retries;
using Durable.Fluent.Tests.Conformance.Harness;

namespace Durable.Fluent.Tests.Conformance.Handlers;

/// <summary>Handlers of the `wait_for_callback` group (7-x).</summary>
internal static class WaitForCallbackHandlers
{
    private static readonly OperationName FromInput = OperationName.FromInput<string>(s => s);

    private static void Submit(object? value, string callbackId)
    {
        // The outside system would receive callbackId here.
    }

    [Requirement("7-2")]
    public static ConformanceCase StaticName() => ConformanceCase.Of(
        Workflow.For<JsonNode?>().WaitForCallback<string>("approval", Submit).Build());

    [Requirement("7-4")]
    [Requirement("7-15")]
    public static ConformanceCase NamedFromInput() => ConformanceCase.Of(
        Workflow.For<string>().WaitForCallback<string?>(FromInput, Submit).Build());

    [Requirement("7-5")]
    public static ConformanceCase Timeout() => ConformanceCase.Of(
        Workflow.For<string>().WaitForCallback<string>(FromInput, Submit, cb => cb.Timeout(TimeSpan.FromSeconds(3))).Build());

    [Requirement("7-6")]
    public static ConformanceCase FailureCaught() => ConformanceCase.Of(
        Workflow.For<string>()
            .Try(b => b.WaitForCallback<string>(FromInput, Submit), h => h.Catch<CallbackFailedException>((_, _) => "recovered"))
            .Build());

    [Requirement("7-7")]
    public static ConformanceCase SubmitterExhaustsRetries() => ConformanceCase.Of(
        Workflow.For<string>()
            .WaitForCallback<string>(FromInput, (_, _) => throw new InvalidOperationException("submitter failed"),
                cb => cb.SubmitterRetry(new RetryStrategyConfig { MaxAttempts = 2, InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(1), Jitter = JitterStrategy.None }))
            .Build());

    [Requirement("7-8")]
    public static ConformanceCase InsideChild() => ConformanceCase.Of(
        Workflow.For<string>().Child("wrapper", b => b.WaitForCallback<string>(FromInput, Submit)).Build());

    [Requirement("7-9")]
    public static ConformanceCase TwoInARow() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .WaitForCallback<string>("first", Submit)
            .WaitForCallback<string>("second", Submit)
            .Build());

    [Requirement("7-10")]
    public static ConformanceCase AfterWaitAndStep() => ConformanceCase.Of(
        Workflow.For<string>()
            .Wait(TimeSpan.FromSeconds(1))
            .Then("fixed_data", (_, _) => new { data = "fixed" })
            .WaitForCallback<string>(FromInput, Submit)
            .Build());

    [Requirement("7-11")]
    public static ConformanceCase JsonPayload() => ConformanceCase.Of(
        Workflow.For<string>().WaitForCallback<JsonObject>(FromInput, Submit).Select(o => o["status"]!.GetValue<string>()).Build());

    [Requirement("7-13")]
    public static ConformanceCase Heartbeat() => ConformanceCase.Of(
        Workflow.For<string>().WaitForCallback<string>(FromInput, Submit, cb => cb.HeartbeatTimeout(TimeSpan.FromSeconds(10))).Build());

    [Requirement("7-14")]
    public static ConformanceCase TimeoutCaught() => ConformanceCase.Of(
        Workflow.For<string>()
            .WaitForCallback<string>(FromInput, Submit, cb => cb.Timeout(TimeSpan.FromSeconds(3)), onTimeout: (_, _) => "timed-out-handled")
            .Build());
}
