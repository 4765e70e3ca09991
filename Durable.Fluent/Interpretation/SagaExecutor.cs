using Durable.Fluent.Definition;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Runs a saga. The body runs in the same context; each <see cref="CompensationNode"/> it passes registers an undo for the
/// value of the step before it. When the body fails (not with the interpreter's own fatal errors), the registered undos
/// run in reverse order as durable steps — on replay they replay from their checkpoints, because the failing body rethrows
/// the same recorded error at the same position — then the error is rethrown, or mapped to a fallback result.
/// </summary>
internal static class SagaExecutor
{
    private static readonly object ScopeKey = new();
    private static readonly object NoScope = new();

    public static async ValueTask<NodeOutcome> ExecuteAsync(SagaNode node, Frame frame, object? value)
    {
        var previous = frame.Lookup(ScopeKey);
        var scope = new List<(StepNode Compensation, object? Value)>();
        frame.Bind(ScopeKey, scope);
        Exception failure;
        try
        {
            return await ChainRunner.RunAsync(node.Body, frame, value).ConfigureAwait(false);
        }
        catch (Exception ex) when (!StepExecutor.IsFatal(ex, frame.Run))
        {
            failure = ex;
        }
        finally
        {
            frame.Bind(ScopeKey, previous ?? NoScope);
        }

        for (var i = scope.Count - 1; i >= 0; i--)
        {
            var (compensation, registered) = scope[i];
            var outcome = await StepExecutor.ExecuteAsync(compensation, frame, registered).ConfigureAwait(false);
            if (outcome.IsSuspended)
            {
                return outcome;
            }
        }

        if (node.OnCompensated is null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return NodeOutcome.Done(node.OnCompensated(failure, value, frame.WorkflowContext));
    }

    public static NodeOutcome Register(CompensationNode node, Frame frame, object? value)
    {
        if (frame.Lookup(ScopeKey) is List<(StepNode, object?)> scope)
        {
            scope.Add((node.Compensation, value));
        }

        return NodeOutcome.Done(value);
    }
}
