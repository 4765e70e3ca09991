using Durable.Fluent;

namespace BestPractices;

// Seed: "Set realistic timeouts", "Use heartbeat timeouts for long operations" and
// "Forgetting to handle callback timeouts".

public sealed record Approval(bool Approved, string By);

public sealed record ApprovalOutcome(string Status, bool Approved);

public static class ApprovalWorkflows
{
    /// <summary>Expected 2 minutes + 1 minute buffer = 3 minutes.</summary>
    public static readonly CallbackHandle<Approval> Approval =
        Callback.Declare<Approval>("approval", cb => cb.Timeout(TimeSpan.FromMinutes(3)));

    /// <summary>
    /// A long human approval: 24 h maximum, but fail after 2 h without a heartbeat (the approver's system crashed), so the
    /// workflow does not wait the full day for nothing. The timeout is handled: it becomes an outcome, not a crash.
    /// </summary>
    public static readonly Workflow<string, ApprovalOutcome> LongApproval =
        Workflow.For<string>()
            .WaitForCallback<Approval>("manager_approval",
                submit: (request, callbackId) => ApprovalInbox.Send(request, callbackId),
                cb => cb.Timeout(TimeSpan.FromHours(24)).HeartbeatTimeout(TimeSpan.FromHours(2)),
                onTimeout: (timeout, request) => new Approval(false, $"timeout:{timeout.Kind}"))
            .Select(a => a.By.StartsWith("timeout", StringComparison.Ordinal)
                ? new ApprovalOutcome("timeout", false)
                : new ApprovalOutcome("completed", a.Approved))
            .Build();

    /// <summary>Create the callback, tell the approver, and handle both a timeout and a rejection explicitly.</summary>
    public static readonly Workflow<string, ApprovalOutcome> ExplicitTimeoutHandling =
        Workflow.For<string>()
            .CreateCallback(Approval)
            .Then("notify_approver", (request, ctx) => ApprovalInbox.Send(request, ctx.CallbackId(Approval)))
            .Try(
                t => t.AwaitCallback(Approval).Select(a => new ApprovalOutcome("completed", a.Approved)),
                h => h
                    .Catch<CallbackTimedOutException>((e, _) => new ApprovalOutcome("timeout", false))
                    .Catch<CallbackFailedException>((e, _) => new ApprovalOutcome($"rejected: {e.Message}", false)))
            .Build();
}

/// <summary>A stand-in for the system that shows approval requests to people.</summary>
public static class ApprovalInbox
{
    private static readonly List<(string Request, string CallbackId)> Sent = new();

    public static IReadOnlyList<(string Request, string CallbackId)> Messages
    {
        get
        {
            lock (Sent)
            {
                return Sent.ToList();
            }
        }
    }

    public static bool Send(string request, string callbackId)
    {
        lock (Sent)
        {
            Sent.Add((request, callbackId));
        }

        return true;
    }
}
