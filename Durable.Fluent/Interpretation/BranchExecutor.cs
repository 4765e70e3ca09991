using Durable.Fluent.Definition;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Runs <c>If</c> and <c>Switch</c>: the predicate or selector sees only the current value and the workflow input (both
/// checkpointed), so every replay takes the same arm. The arm runs in the same frame; nothing is recorded for the choice.
/// </summary>
internal static class BranchExecutor
{
    public static ValueTask<NodeOutcome> ExecuteAsync(IfNode node, Frame frame, object? value)
        => ChainRunner.RunAsync(node.Predicate(value, frame.WorkflowContext) ? node.Then : node.Else, frame, value);

    public static ValueTask<NodeOutcome> ExecuteAsync(SwitchNode node, Frame frame, object? value)
    {
        var key = node.Selector(value, frame.WorkflowContext);
        foreach (var c in node.Cases)
        {
            if (Equals(c.Key, key))
            {
                return ChainRunner.RunAsync(c.Body, frame, value);
            }
        }

        if (node.Default is null)
        {
            throw new DurableExecutionException($"Switch: no case matches the value '{key}' and no Default(...) arm is declared.");
        }

        return ChainRunner.RunAsync(node.Default, frame, value);
    }
}
