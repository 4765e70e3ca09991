using Durable.Fluent.Wire;

namespace Durable.Fluent.Interpretation;

/// <summary>Shared replay checks and helpers of the executors.</summary>
internal static class Replay
{
    /// <summary>
    /// Throws <see cref="NonDeterministicExecutionException"/> when the recorded operation differs from the node; otherwise
    /// reports the recorded operation to plugins.
    /// </summary>
    public static void CheckDeterminism(ExecutionRun run, Operation recorded, OperationType type, string? subType, string? name, string nodeLabel)
    {
        CheckDeterminism(run, recorded, type, subType, name, nodeLabel, null);
        run.ObserveRecorded(recorded);
    }

    /// <summary>
    /// Like <see cref="CheckDeterminism(ExecutionRun, Operation, OperationType, string?, string?, string)"/>, but renders the
    /// node's label only when the check fails (replay calls this once per recorded operation).
    /// </summary>
    public static void CheckDeterminism(ExecutionRun run, Operation recorded, OperationType type, string? subType, string? name, Definition.Node node)
    {
        if (!Matches(recorded, type, subType, name))
        {
            CheckDeterminism(run, recorded, type, subType, name, node.Describe(), node);
        }

        run.ObserveRecorded(recorded);
    }

    private static bool Matches(Operation recorded, OperationType type, string? subType, string? name)
        => recorded.Type == type
            && (recorded.SubType is null || subType is null || string.Equals(recorded.SubType, subType, StringComparison.Ordinal))
            && (recorded.Name is null || name is null || string.Equals(recorded.Name, name, StringComparison.Ordinal));

    /// <summary>Throws <see cref="NonDeterministicExecutionException"/> when the recorded operation differs from the node.</summary>
    private static void CheckDeterminism(ExecutionRun run, Operation recorded, OperationType type, string? subType, string? name, string nodeLabel, Definition.Node? node)
    {
        if (!Matches(recorded, type, subType, name))
        {
            throw new NonDeterministicExecutionException(
                $"Non-deterministic replay at operation {recorded.Id}: the checkpoint log records {Describe(recorded.Type, recorded.SubType, recorded.Name)}, "
                + $"but the workflow now declares {Describe(type, subType, name)} ({nodeLabel}) at that position. "
                + Diagnose(run, recorded, name, node));
        }
    }

    /// <summary>
    /// Tells apart the two causes: orchestration code that is not deterministic (a computed name that changed, or a recorded
    /// operation the definition still declares elsewhere — a different path through If/Switch/Map/Select), and a definition that
    /// changed while the execution was in flight (the recorded operation is declared nowhere).
    /// </summary>
    private static string Diagnose(ExecutionRun run, Operation recorded, string? name, Definition.Node? node)
    {
        const string orchestration = "Orchestration code is not deterministic: ";
        if (node?.Name is { IsDynamic: true } && recorded.Name is not null && name is not null && !string.Equals(recorded.Name, name, StringComparison.Ordinal))
        {
            return orchestration + $"the computed operation name (OperationName.FromInput/From) returned '{name}' on replay but '{recorded.Name}' when the operation was recorded. "
                + "A name function must only use the workflow input and the current value; compute anything else (clock, random ids, I/O) in a step.";
        }

        if (recorded.Name is { } recordedName && run.Definition is { } root && DeclaredNames(root).Contains(recordedName))
        {
            return orchestration + $"the definition still declares '{recordedName}', so this replay took a different path than the recorded run. "
                + "Most likely an If predicate, a Switch selector, a Map item source or a Select/Do function read something other than its arguments "
                + "(the clock, random values, I/O, shared or static state); move that code into a step and branch on the step's result.";
        }

        return "The definition changed: operations were added, removed, renamed or reordered while this execution was in flight; "
            + "deploy changes as a new version and let running executions finish on the old one.";
    }

    private static HashSet<string> DeclaredNames(Definition.Chain root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Definition.Chain>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            foreach (var n in pending.Pop().Nodes)
            {
                if (n.Name?.Static is { } s)
                {
                    names.Add(s);
                    names.Add(s + "-callback");
                    names.Add(s + "-submitter");
                }

                if (n is Definition.ChildNode c)
                {
                    pending.Push(c.Body);
                }

                if (n is Definition.CompensationNode comp && comp.Compensation.Name?.Static is { } undo)
                {
                    names.Add(undo);
                }

                foreach (var (chain, _) in Definition.DefinitionRenderer.Arms(n))
                {
                    if (chain is not null)
                    {
                        pending.Push(chain);
                    }
                }
            }
        }

        return names;
    }

    public static string? Name(Definition.Node node, Frame frame, object? value)
        => node.Name?.Resolve(frame.Input, value);

    private static string Describe(OperationType type, string? subType, string? name)
        => $"{UpperSnakeEnumConverter<OperationType>.ToToken(type)}{(subType is null ? string.Empty : "/" + subType)}{(name is null ? string.Empty : $" '{name}'")}";
}
