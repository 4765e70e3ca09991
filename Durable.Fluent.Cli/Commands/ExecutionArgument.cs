using System.CommandLine;
using Durable.Fluent.Checkpointing.Http;

namespace Durable.Fluent.Cli.Commands;

/// <summary>
/// The execution a command acts on: its ARN, or its name together with <c>--function</c> (looked up with
/// ListDurableExecutionsByFunction, as execution names are unique per function).
/// </summary>
internal sealed class ExecutionArgument
{
    public Argument<string> Execution { get; } = new("execution")
    {
        Description = "The execution's ARN, or its name with --function.",
    };

    public Option<string?> Function { get; } = new("--function", "-f")
    {
        Description = "The function of an execution given by name.",
    };

    public void AddTo(Command command)
    {
        command.Add(Execution);
        command.Add(Function);
    }

    public async Task<string> ResolveAsync(ParseResult parse, LambdaDurableExecutionClient client, CancellationToken cancellationToken)
    {
        var execution = parse.GetRequiredValue(Execution);
        if (execution.StartsWith("arn:", StringComparison.Ordinal))
        {
            return execution;
        }

        var function = parse.GetValue(Function)
            ?? throw new UsageException($"'{execution}' is not an ARN: pass the execution's ARN, or its name with --function <function>.");
        var page = await client.ListDurableExecutionsByFunctionAsync(
            function,
            new ListDurableExecutionsByFunctionQuery { DurableExecutionName = execution, MaxItems = 2 },
            cancellationToken).ConfigureAwait(false);
        return page.DurableExecutions.FirstOrDefault()?.DurableExecutionArn
            ?? throw new CommandFailedException($"ResourceNotFoundException: no execution named '{execution}' of function '{function}'.");
    }
}
