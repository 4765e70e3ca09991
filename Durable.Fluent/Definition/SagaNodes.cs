using System.Collections.Immutable;

namespace Durable.Fluent.Definition;

/// <summary>
/// A saga: runs its body; when the body fails, runs the compensations registered by the steps that completed, in reverse
/// order, each as a durable step, then rethrows the error or maps it to a fallback result.
/// </summary>
internal sealed record SagaNode(Chain Body, Func<Exception, object?, WorkflowContext, object?>? OnCompensated) : Node, INestedChains
{
    public override string Kind => "Saga";

    public IEnumerable<(Chain Chain, string Label)> GetNestedChains()
    {
        yield return (Body, "saga");
    }
}

/// <summary>Registers the compensation of the preceding step for the current value; the value passes through.</summary>
internal sealed record CompensationNode(StepNode Compensation) : Node
{
    public override string Kind => "Compensation";
}

/// <summary>Build-time rules of sagas: a compensation belongs to a saga, in the saga's own context (never in concurrent branches).</summary>
internal static class SagaRules
{
    public static void Validate(Chain chain) => Walk(chain, insideSaga: false, "workflow");

    private static void Walk(Chain chain, bool insideSaga, string where)
    {
        for (var i = 0; i < chain.Nodes.Length; i++)
        {
            var node = chain.Nodes[i];
            switch (node)
            {
                case CompensationNode c when !insideSaga:
                    throw new WorkflowDefinitionException($"Compensation '{c.Compensation.Name}' (#{i + 1} in the {where}) is not inside a Saga(...): compensations run only when a saga's body fails. Wrap the steps and their CompensateWith(...) in .Saga(...).");
                case CompensationNode c when i == 0 || chain.Nodes[i - 1] is not StepNode:
                    throw new WorkflowDefinitionException($"Compensation '{c.Compensation.Name}' (#{i + 1} in the {where}) must directly follow the step it undoes.");
                case SagaNode s:
                    Walk(s.Body, insideSaga: true, "saga");
                    break;
                case ChildNode c:
                    // A child context has its own ids; compensations inside it would be registered from another context.
                    Walk(c.Body, insideSaga: false, $"child context '{c.Name}'");
                    break;
                case ParallelNode or MapNode:
                    foreach (var (nested, label) in ((INestedChains)node).GetNestedChains())
                    {
                        Walk(nested, insideSaga: false, label);
                    }

                    break;
                case INestedChains n:
                    foreach (var (nested, label) in n.GetNestedChains())
                    {
                        Walk(nested, insideSaga, label);
                    }

                    break;
            }
        }
    }
}
