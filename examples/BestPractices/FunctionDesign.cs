using Durable.Fluent;
using Durable.Fluent.Retries;

namespace BestPractices;

// Seed: "Function design".

public sealed record Order(string OrderId, decimal Amount, string[] Items);

public sealed record Stamp(long Timestamp, string RequestId);

public sealed record ApiResult(bool Ok, int? ClientErrorStatus, string? Body);

/// <summary>Keep functions focused: one clear purpose — validate, pay, fulfil.</summary>
public static class FocusedOrderWorkflow
{
    public static readonly Workflow<Order, string> Definition =
        Workflow.For<Order>()
            .Then("validate_order", (order, ctx) => order.Items.Length > 0 ? order : throw new ArgumentException("Order must have items"))
            .Then("process_payment", (order, ctx) => $"txn-{order.OrderId}")
            .Then("fulfill_order", (txn, ctx) => $"{ctx.Input.OrderId}:completed")
            .Build();
}

/// <summary>
/// Wrap non-deterministic code in steps: the clock and random ids are read inside steps, so replays see the recorded
/// values. (In a step, wall-clock and Guid are fine: the step runs once and its result is checkpointed.)
/// </summary>
public static class NonDeterminismInSteps
{
    public static readonly Workflow<string, Stamp> Definition =
        Workflow.For<string>()
            .Then("get_timestamp", (_, ctx) => DateTimeOffset.UtcNow.ToUnixTimeSeconds())
            .Then("generate_id", (timestamp, ctx) => new Stamp(timestamp, Guid.NewGuid().ToString("N")))
            .Build();
}

/// <summary>Reusable step functions: a method group names the step after the method ("ValidateInput").</summary>
public static class ReusableSteps
{
    public static bool ValidateInput(Dictionary<string, string> data, StepContext<Dictionary<string, string>> ctx)
        => data.ContainsKey("name") && data.ContainsKey("email");

    public static readonly Workflow<Dictionary<string, string>, bool> Definition =
        Workflow.For<Dictionary<string, string>>().Then(ValidateInput).Build();
}

/// <summary>Don't share state between steps: pass data through return values (records), never through statics.</summary>
public static class PassDataThroughReturnValues
{
    public sealed record User(string UserId, string Name, string? Email);

    public static readonly Workflow<string, bool> Definition =
        Workflow.For<string>()
            .Then("fetch_user", (userId, ctx) => new User(userId, "Jane Doe", "jane@example.com"))
            .Then("send_email", (user, ctx) => user.Email is not null)
            .Build();
}

/// <summary>Choose the right semantics: at-most-once for side effects, at-least-once (default) for idempotent work.</summary>
public static class ExecutionSemantics
{
    public static readonly Workflow<Order, string> Charge =
        Workflow.For<Order>()
            .Then("charge_credit_card", (order, ctx) => $"txn-{order.OrderId}", step => step.AtMostOncePerRetry())
            .Build();

    public static readonly Workflow<Order, decimal> CalculateTotal =
        Workflow.For<Order>()
            .Then("calculate_total", (order, ctx) => order.Amount * order.Items.Length)
            .Build();
}

/// <summary>
/// Handle errors explicitly: transient failures (timeouts, 5xx) throw and are retried; permanent ones (4xx) become a
/// result and are not retried.
/// </summary>
public static class ExplicitErrorHandling
{
    public sealed class ServerError(int status) : Exception($"HTTP {status}");

    /// <summary>A stand-in for an HTTP call: status codes drive the behaviour.</summary>
    public static ApiResult CallExternalApi(int status, StepContext<int> ctx) => status switch
    {
        >= 500 => throw new ServerError(status),                 // retry server errors
        >= 400 => new ApiResult(false, status, null),             // don't retry client errors
        _ => new ApiResult(true, null, "{\"ok\":true}"),
    };

    public static readonly Workflow<int, ApiResult> Definition =
        Workflow.For<int>()
            .Then("call_external_api", CallExternalApi, step => step.Retry(RetryPresets.Fixed(TimeSpan.FromSeconds(2)).RetryOn<ServerError>().RetryOn<TimeoutException>()))
            .Build();
}
