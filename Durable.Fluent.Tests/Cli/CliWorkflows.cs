namespace Durable.Fluent.Tests.Cli;

/// <summary>A ticket to approve: the input of <see cref="CliWorkflows.Approval"/>.</summary>
public sealed record Ticket(string Id, string Note);

/// <summary>The answer to the approval callback.</summary>
public sealed record Decision(bool Approved, string By);

/// <summary>
/// Workflows the CLI and dashboard tests load from this test assembly the way a user's assembly is loaded
/// (<c>durable serve --assembly Durable.Fluent.Tests.dll</c>): marked members are served under their function names.
/// </summary>
public static class CliWorkflows
{
    /// <summary>One step: <c>hello {name}</c>.</summary>
    [DurableFunction("cli-greeter")]
    public static readonly Workflow<string, string> Greeter =
        Workflow.For<string>().Then("greet", (name, ctx) => $"hello {name}").Build();

    /// <summary>The same shape with its step renamed: a changed definition that no longer replays Greeter's histories.</summary>
    public static readonly Workflow<string, string> GreeterRenamed =
        Workflow.For<string>().Then("welcome", (name, ctx) => $"hello {name}").Build();

    /// <summary>A step, a callback that waits for a <see cref="Decision"/>, a step that reports it.</summary>
    [DurableFunction("cli-approval")]
    public static readonly Workflow<Ticket, string> Approval =
        Workflow.For<Ticket>()
            .Then("prepare", (ticket, ctx) => ticket.Id)
            .WaitForCallback<Decision>("approval", (id, callbackId) => { })
            .Then("finish", (decision, ctx) => decision.Approved ? $"{ctx.Input.Id} approved by {decision.By}" : $"{ctx.Input.Id} rejected by {decision.By}")
            .Build();

    /// <summary>A step that always throws, without retries: the execution fails at once.</summary>
    [DurableFunction("cli-failing")]
    public static readonly Workflow<string, string> Failing =
        Workflow.For<string>().Then("explode", (s, ctx) => Explode(s), step => step.NoRetry()).Build();

    private static string Explode(string s) => throw new InvalidOperationException("no luck with " + s);
}
