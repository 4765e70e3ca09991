using Durable.Fluent;
using Durable.Fluent.Retries;

namespace BestPractices;

// Issue examples: polling an external job, and a chain of functions.

public sealed record JobState(string JobId, string Status, int Polls);

/// <summary>Start a job, then poll its status with back-off until it is done — no compute is billed between polls.</summary>
public static class PollExternalJob
{
    public static readonly Workflow<string, JobState> Definition =
        Workflow.For<string>()
            .Then("start_job", (data, ctx) => ExternalJobs.Start(data))
            .WaitForCondition<JobState>("poll_job_status",
                check: (job, ctx) => ExternalJobs.Refresh(job),
                strategy: WaitStrategy.Exponential<JobState>(job => job.Status != "DONE", maxAttempts: 10, initialDelay: TimeSpan.FromSeconds(10)))
            .Build();
}

/// <summary>A stand-in job service: a job is done after three status checks.</summary>
public static class ExternalJobs
{
    public static JobState Start(string data) => new($"job-{data}", "RUNNING", 0);

    public static JobState Refresh(JobState job) => job with { Polls = job.Polls + 1, Status = job.Polls + 1 >= 3 ? "DONE" : "RUNNING" };
}

public sealed record Invoice(string OrderId, decimal Total);

public sealed record ChargeRequest(string OrderId, decimal Amount);

public sealed record ChargeReceipt(string OrderId, string TransactionId);

/// <summary>
/// A function chain: the order workflow invokes a separate billing function (durable, version-qualified) and continues
/// with its result. Each function stays focused and deploys on its own.
/// </summary>
public static class FunctionChain
{
    public const string BillingFunction = "billing-function:$LATEST";

    /// <summary>The billing function: its own durable workflow.</summary>
    public static readonly Workflow<ChargeRequest, ChargeReceipt> Billing =
        Workflow.For<ChargeRequest>()
            .Then("charge_card", (req, ctx) => new ChargeReceipt(req.OrderId, $"txn-{req.OrderId}"), step => step.AtMostOncePerRetry())
            .Build();

    public static readonly Workflow<Invoice, string> Orders =
        Workflow.For<Invoice>()
            .Invoke<ChargeReceipt>("charge_via_billing", BillingFunction, invoice => new ChargeRequest(invoice.OrderId, invoice.Total))
            .Then("send_receipt", (receipt, ctx) => $"receipt {receipt.TransactionId} sent for {ctx.Input.OrderId}")
            .Build();
}

/// <summary>The same reusable validation definition, used by a second handler (returns) as well as by <see cref="OrganizedHandler"/>.</summary>
public static class ReturnsHandler
{
    public static readonly Workflow<Order, string> Definition =
        Workflow.For<Order>()
            .Then("validation_phase", ValidationWorkflows.ValidateAndEnrich)
            .Then("create_return_label", (order, ctx) => $"label-{order.OrderId}", step => step.Retry(RetryPresets.Transient))
            .Build();
}
