using Durable.Fluent.Definition;

namespace Durable.Fluent.Interpretation;

/// <summary>Walks a chain: each node gets the previous node's output; the first suspension stops the walk.</summary>
internal static class ChainRunner
{
    public static async ValueTask<NodeOutcome> RunAsync(Chain chain, Frame frame, object? value)
    {
        var nodes = chain.Nodes;
        for (var i = 0; i < nodes.Length; i++)
        {
            var outcome = await RunNodeAsync(nodes[i], frame, value).ConfigureAwait(false);
            if (outcome.IsSuspended)
            {
                return outcome;
            }

            value = outcome.Value;
        }

        return NodeOutcome.Done(value);
    }

    private static ValueTask<NodeOutcome> RunNodeAsync(Node node, Frame frame, object? value)
    {
        frame.Run.Cancellation.ThrowIfCancellationRequested();
        return node switch
        {
            StepNode step => StepExecutor.ExecuteAsync(step, frame, value),
            WaitNode wait => WaitExecutor.ExecuteAsync(wait, frame, value),
            SelectNode select => new ValueTask<NodeOutcome>(NodeOutcome.Done(select.Map(value, frame.WorkflowContext))),
            ChildNode child => ChildExecutor.ExecuteAsync(child, frame, value),
            TryNode tryNode => TryExecutor.ExecuteAsync(tryNode, frame, value),
            CreateCallbackNode create => CallbackExecutor.CreateAsync(create, frame, value),
            AwaitCallbackNode awaitNode => CallbackExecutor.AwaitAsync(awaitNode, frame, value),
            WaitForCallbackNode wfc => WaitForCallbackExecutor.ExecuteAsync(wfc, frame, value),
            WaitForConditionNode wfcond => WaitForConditionExecutor.ExecuteAsync(wfcond, frame, value),
            InvokeNode invoke => InvokeExecutor.ExecuteAsync(invoke, frame, value),
            ParallelNode parallel => BatchExecutor.ExecuteAsync(parallel, frame, value),
            MapNode map => BatchExecutor.ExecuteAsync(map, frame, value),
            IfNode ifNode => BranchExecutor.ExecuteAsync(ifNode, frame, value),
            SwitchNode switchNode => BranchExecutor.ExecuteAsync(switchNode, frame, value),
            SagaNode saga => SagaExecutor.ExecuteAsync(saga, frame, value),
            CompensationNode compensation => new ValueTask<NodeOutcome>(SagaExecutor.Register(compensation, frame, value)),
            _ => throw new NotSupportedException($"No executor for node kind '{node.Kind}'."),
        };
    }
}
