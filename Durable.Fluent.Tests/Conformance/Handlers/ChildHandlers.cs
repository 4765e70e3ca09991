using System.Text.Json.Nodes;
using Durable.Fluent.Retries;
using Durable.Fluent.Serialization;
using Durable.Fluent.Tests.Conformance.Harness;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Tests.Conformance.Handlers;

/// <summary>Handlers of the `child` group (3-x).</summary>
internal static class ChildHandlers
{
    private static readonly RetryStrategyConfig OneSecondRetries = RetryPresets.Fixed(TimeSpan.FromSeconds(1));

    /// <summary>A reusable definition: one step that echoes the current value (shared by several handlers below).</summary>
    private static readonly Workflow<string, string> EchoStep = Workflow.For<string>().Then("echo", (s, _) => s).Build();

    [Requirement("3-1")]
    public static ConformanceCase SingleStep() => ConformanceCase.Of(
        Workflow.For<string>().Then("child", EchoStep).Build());

    [Requirement("3-2")]
    public static ConformanceCase NamedFromInput() => ConformanceCase.Of(
        Workflow.For<NamedInput>()
            .Child(OperationName.FromInput<NamedInput>(i => i.Name), c => c.Then("return_value", (i, _) => i.Value))
            .Build());

    [Requirement("3-3")]
    public static ConformanceCase TwoSteps() => ConformanceCase.Of(
        Workflow.For<string>()
            .Child("multi-step", c => c.Then("first", (s, _) => s).Then("second", (s, _) => s))
            .Build());

    [Requirement("3-4")]
    public static ConformanceCase InnerStepFails() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Child("failing-child", c => c.Then("fail", string (_, _) => throw new InvalidOperationException("inner step failed"), s => s.NoRetry()))
            .Build());

    [Requirement("3-5")]
    public static ConformanceCase FailureCaughtByParent() => ConformanceCase.Of(
        Workflow.For<string>()
            .Try(
                t => t.Child("failing-child", c => c.Then("fail", string (_, _) => throw new InvalidOperationException("inner step failed"), s => s.NoRetry())),
                h => h.Catch<ChildContextFailedException>(r => r.Then("recover", (_, ctx) => ctx.Input)))
            .Build());

    [Requirement("3-6")]
    public static ConformanceCase Nested() => ConformanceCase.Of(
        Workflow.For<string>()
            .Child("outer", o => o
                .Then("outer_step", (s, _) => s)
                .Child("inner", i => i.Then("inner_step", (s, _) => s)))
            .Build());

    [Requirement("3-7")]
    public static ConformanceCase RetryInsideChild() => ConformanceCase.Of(
        Workflow.For<string>()
            .Child("retrying-child", c => c.Then("flaky", (s, ctx) => ctx.Attempt == 1 ? throw new InvalidOperationException("first attempt fails") : s,
                s => s.Retry(OneSecondRetries with { MaxAttempts = 3 })))
            .Build());

    [Requirement("3-8")]
    public static ConformanceCase RetriesExhaustedInsideChild() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Child("exhausting-child", c => c.Then("always_fail", string (_, ctx) => throw new InvalidOperationException($"attempt {ctx.Attempt} failed"),
                s => s.Retry(OneSecondRetries with { MaxAttempts = 2 })))
            .Build());

    [Requirement("3-9")]
    public static ConformanceCase CachedAfterWait() => ConformanceCase.Of(
        Workflow.For<string>()
            .Then("child", EchoStep)
            .Wait(TimeSpan.FromSeconds(1))
            .Build());

    [Requirement("3-13")]
    public static ConformanceCase ChildWithOnlyAWait() => ConformanceCase.Of(
        Workflow.For<string>()
            .Child("waiting-child", c => c.Wait(TimeSpan.FromSeconds(1)))
            .Then("outer_step", (s, _) => s)
            .Build());

    [Requirement("3-14")]
    public static ConformanceCase ChildSerDes() => ConformanceCase.Of(
        Workflow.For<string>()
            .Child("uppercase-child", c => c.Then("echo", (s, _) => s), c => c.SerializeWith(new UppercaseRawSerDes()))
            .Build());

    [Requirement("3-15")]
    public static ConformanceCase BodyThrows() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Child("throwing-child", c => c.Select<string>(_ => throw new InvalidOperationException("child body failed")))
            .Build());

    [Requirement("3-16")]
    public static ConformanceCase BodyReturnsNull() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Child("null-child", c => c.Select(_ => (string?)null))
            .Build());

    [Requirement("3-17")]
    public static ConformanceCase LogsOnceNotReplayed() => ConformanceCase.Of(
        Workflow.For<string>()
            .Child("logging-child", c => c.Do((s, ctx) => ctx.Logger.LogInformation("Child context running for {Input}", s)))
            .Wait(TimeSpan.FromSeconds(1))
            .Build());

    [Requirement("3-18")]
    public static ConformanceCase MixedAcrossReplays() => ConformanceCase.Of(
        Workflow.For<string>()
            .Child("inner-phase", c => c.Then("inner_step", (s, _) => s).Wait(TimeSpan.FromSeconds(1)))
            .Then("outer_step", (s, _) => s)
            .Wait(TimeSpan.FromSeconds(1))
            .Build());

    internal sealed record NamedInput(string Name, string Value);

    /// <summary>Writes the result as raw uppercase text (not JSON), as the requirement's custom serdes does.</summary>
    private sealed class UppercaseRawSerDes : ISerDes<string>
    {
        public string? Serialize(string value, SerDesContext context) => value.ToUpperInvariant();

        public string Deserialize(string? payload, SerDesContext context) => payload ?? string.Empty;
    }
}
