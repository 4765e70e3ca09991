using Durable.Fluent;
using Durable.Fluent.Retries;

namespace BestPractices;

// Seed: "Timeout configuration" (retry delays) and "Code organization — group related configuration".

/// <summary>Retry strategies grouped in one place.</summary>
public static class RetryConfigs
{
    /// <summary>Fast retry for transient network issues.</summary>
    public static readonly RetryStrategyConfig Fast = new()
    {
        MaxAttempts = 3,
        InitialDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(5),
        BackoffRate = 2.0,
    };

    /// <summary>Slow retry for rate limiting.</summary>
    public static readonly RetryStrategyConfig Slow = new()
    {
        MaxAttempts = 5,
        InitialDelay = TimeSpan.FromSeconds(10),
        MaxDelay = TimeSpan.FromSeconds(60),
        BackoffRate = 2.0,
    };

    /// <summary>Retry only the transient error types (the seed's "not using retry for transient failures").</summary>
    public static readonly RetryStrategyConfig TransientOnly =
        new RetryStrategyConfig { MaxAttempts = 3 }.RetryOn<TimeoutException>().RetryOn<HttpRequestException>();
}

/// <summary>Step configuration presets: semantics and retry together.</summary>
public static class StepConfigs
{
    public static readonly StepConfig FastRetry = new() { Retry = RetryConfigs.Fast };

    public static readonly StepConfig Payment = new() { Semantics = StepSemantics.AtMostOncePerRetry, Retry = RetryConfigs.Slow };
}

public static class ConfiguredWorkflow
{
    public static readonly Workflow<string, string> Definition =
        Workflow.For<string>()
            .Then("fetch_rates", (currency, ctx) => $"{currency}:1.0", step => step.Apply(StepConfigs.FastRetry))
            .Then("charge_customer", (rate, ctx) => $"charged@{rate}", step => step.Apply(StepConfigs.Payment))
            .Build();
}
