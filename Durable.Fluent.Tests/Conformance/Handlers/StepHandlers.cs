using System.Text.Json.Nodes;
using Durable.Fluent.Retries;
using Durable.Fluent.Serialization;
using Durable.Fluent.Testing;
using Durable.Fluent.Tests.Conformance.Harness;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Tests.Conformance.Handlers;

/// <summary>Handlers of the `step` group (1-x).</summary>
internal static class StepHandlers
{
    private static readonly RetryStrategyConfig OneSecondRetries = RetryPresets.Fixed(TimeSpan.FromSeconds(1));

    [Requirement("1-1")]
    public static ConformanceCase Basic() => ConformanceCase.Of(
        Workflow.For<string>().Then("greet", (name, _) => $"Hello, {name}!").Build());

    [Requirement("1-2")]
    public static ConformanceCase Named() => ConformanceCase.Of(
        Workflow.For<string>().Then("custom_step_name", (name, _) => $"Hello, {name}!").Build());

    [Requirement("1-3")]
    public static ConformanceCase TwoSteps() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Then("step_one", (_, _) => "first")
            .Then("step_two", (first, _) => $"{first}_second")
            .Build());

    [Requirement("1-4")]
    public static ConformanceCase NestedObject() => ConformanceCase.Of(
        Workflow.For<UserInput>()
            .Then("build_object", (input, _) => new NestedResult(new UserInput(input.Name, input.Tags), input.Tags.Length))
            .Build());

    [Requirement("1-5")]
    public static ConformanceCase NullResult() => ConformanceCase.Of(
        Workflow.For<JsonNode?>().Then("do_nothing", (_, _) => (string?)null).Build());

    [Requirement("1-6")]
    public static ConformanceCase CustomSerDes() => ConformanceCase.Of(
        Workflow.For<string>()
            .Then("return_input", (s, _) => s, step => step.SerializeWith(new UppercaseSerDes()))
            .Build());

    [Requirement("1-7")]
    public static ConformanceCase StepLogger() => ConformanceCase.Of(
        Workflow.For<string>()
            .Then("greet", (name, ctx) =>
            {
                ctx.Logger.LogInformation("Greeting step started for: {Name}", name);
                var greeting = $"Hello, {name}!";
                ctx.Logger.LogInformation("Greeting step completed with: {Greeting}", greeting);
                return greeting;
            })
            .Build());

    [Requirement("1-9")]
    public static ConformanceCase CachedOnReplay() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Then("produce", (_, _) => "cached_value")
            .Wait(TimeSpan.FromSeconds(1))
            .Build());

    [Requirement("1-11")]
    public static ConformanceCase RetryThenSucceed() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Then("unreliable", (_, ctx) => ctx.Attempt == 1 ? throw new InvalidOperationException("first attempt fails") : "Operation succeeded",
                step => step.Retry(OneSecondRetries))
            .Build());

    [Requirement("1-12")]
    public static ConformanceCase RetryExhaustion() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Then("always_fail", string (_, ctx) => throw new InvalidOperationException($"attempt {ctx.Attempt} failed"),
                step => step.Retry(OneSecondRetries with { MaxAttempts = 4 }))
            .Build());

    [Requirement("1-13")]
    public static ConformanceCase DefaultRetry() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Then("unreliable", (_, ctx) => ctx.Attempt < 3 ? throw new InvalidOperationException($"attempt {ctx.Attempt} failed") : "succeeded")
            .Build());

    [Requirement("1-14")]
    public static ConformanceCase CustomBackoff() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Then("flaky", (_, ctx) => ctx.Attempt < 3 ? throw new InvalidOperationException($"attempt {ctx.Attempt} failed") : "succeeded",
                step => step.Retry(new RetryStrategyConfig
                {
                    MaxAttempts = 5,
                    InitialDelay = TimeSpan.FromSeconds(2),
                    BackoffRate = 3,
                    Jitter = JitterStrategy.None,
                }))
            .Build());

    [Requirement("1-15")]
    public static ConformanceCase RetryOnlyTransient() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Then("transient_once", (_, ctx) => ctx.Attempt == 1 ? throw new TransientError("temporarily unavailable") : "ok",
                step => step.Retry((OneSecondRetries with { MaxAttempts = 3 }).RetryOn<TransientError>()))
            .Build());

    [Requirement("1-17")]
    public static ConformanceCase AtMostOnceInterrupted() => ConformanceCase.Of(
        Workflow.For<string>()
            .Then("at_most_once_flaky_step", string (input, ctx) =>
            {
                ctx.Logger.LogInformation("Processing {Input}", input);
                throw new SimulatedCrashException();
            }, step => step.AtMostOncePerRetry().NoRetry())
            .Build());

    [Requirement("1-18")]
    public static ConformanceCase AtMostOnceRetried() => ConformanceCase.Of(
        Workflow.For<string>()
            .Then("at_most_once_retried_step", (input, ctx) =>
            {
                ctx.Logger.LogInformation("Processing {Input} (attempt {Attempt})", input, ctx.Attempt);
                return ctx.Attempt == 1 ? throw new SimulatedCrashException() : "succeeded on second attempt";
            }, step => step.AtMostOncePerRetry().Retry(OneSecondRetries with { MaxAttempts = 3 }))
            .Build());

    [Requirement("1-19")]
    public static ConformanceCase FailsPermanently() => ConformanceCase.Of(
        Workflow.For<JsonNode?>()
            .Then("failing", string (_, _) => throw new InvalidOperationException("permanent failure"), step => step.Retry(RetryPresets.None))
            .Build());

    internal sealed class TransientError(string message) : Exception(message);

    internal sealed record UserInput(string Name, string[] Tags);

    internal sealed record NestedResult(UserInput User, int Count);

    private sealed class UppercaseSerDes : ISerDes<string>
    {
        public string? Serialize(string value, SerDesContext context) => value?.ToUpperInvariant();

        public string Deserialize(string? payload, SerDesContext context) => payload ?? string.Empty;
    }
}
