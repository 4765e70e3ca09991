using Durable.Fluent.Definition;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Runs a try node: the body in the same frame; an error (other than the interpreter's own fatal ones) goes to the first
/// handler whose type matches. Because failed operations rethrow the same typed error on replay, the same handler runs on
/// every replay and a recovery chain gets the same operation ids.
/// </summary>
internal static class TryExecutor
{
    public static async ValueTask<NodeOutcome> ExecuteAsync(TryNode node, Frame frame, object? value)
    {
        try
        {
            return await ChainRunner.RunAsync(node.Body, frame, value).ConfigureAwait(false);
        }
        catch (Exception ex) when (!StepExecutor.IsFatal(ex, frame.Run) && Find(node, ex) is not null)
        {
            var clause = Find(node, ex)!;
            if (clause.Handler is not null)
            {
                return NodeOutcome.Done(clause.Handler(ex, value, frame.WorkflowContext));
            }

            return await ChainRunner.RunAsync(clause.Recovery!, frame, clause.RecoveryInput!(ex, value)).ConfigureAwait(false);
        }
    }

    private static CatchClause? Find(TryNode node, Exception ex)
    {
        foreach (var c in node.Handlers)
        {
            if (c.ExceptionType.IsInstanceOfType(ex))
            {
                return c;
            }
        }

        return null;
    }
}
