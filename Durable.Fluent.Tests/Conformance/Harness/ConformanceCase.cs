using Durable.Fluent.Testing;

namespace Durable.Fluent.Tests.Conformance.Harness;

/// <summary>
/// The C# handler written for one conformance requirement: a built workflow plus what the local runner needs to run it
/// (crash injection, registered invoke targets, ...). Handlers live in Conformance/Handlers/&lt;Group&gt;Handlers.cs as static
/// methods marked <see cref="RequirementAttribute"/>.
/// </summary>
public sealed class ConformanceCase
{
    private ConformanceCase(Func<DurableTestRunner, string?, Task<ITestExecution>> start) => Start = start;

    /// <summary>Starts the workflow on a runner with the requirement's input JSON and drives it as far as it can go.</summary>
    internal Func<DurableTestRunner, string?, Task<ITestExecution>> Start { get; }

    /// <summary>Runner options (crash injection and the like).</summary>
    internal DurableTestRunnerOptions RunnerOptions { get; private init; } = new();

    /// <summary>Runs on the runner before the execution starts (register invoke targets, ...).</summary>
    internal Action<DurableTestRunner>? Setup { get; private init; }

    public static ConformanceCase Of<TIn, TOut>(Workflow<TIn, TOut> workflow)
        => new(async (runner, input) => await runner.RunJsonAsync(workflow, input));

    public ConformanceCase WithRunnerOptions(Func<DurableTestRunnerOptions, DurableTestRunnerOptions> configure)
        => new(Start) { RunnerOptions = configure(RunnerOptions), Setup = Setup };

    public ConformanceCase WithSetup(Action<DurableTestRunner> setup)
        => new(Start) { RunnerOptions = RunnerOptions, Setup = (Setup + setup) };
}

/// <summary>Marks a static method returning a <see cref="ConformanceCase"/> as the handler of a requirement id.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class RequirementAttribute(string id) : Attribute
{
    public string Id { get; } = id;
}

/// <summary>Marks a requirement as deliberately not implemented (reported as ignored with the reason, never as passed).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class NotImplementedRequirementAttribute(string id, string reason) : Attribute
{
    public string Id { get; } = id;

    public string Reason { get; } = reason;
}

