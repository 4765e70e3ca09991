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
        CheckDeterminism(recorded, type, subType, name, nodeLabel);
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
            CheckDeterminism(recorded, type, subType, name, node.Describe());
        }

        run.ObserveRecorded(recorded);
    }

    private static bool Matches(Operation recorded, OperationType type, string? subType, string? name)
        => recorded.Type == type
            && (recorded.SubType is null || subType is null || string.Equals(recorded.SubType, subType, StringComparison.Ordinal))
            && (recorded.Name is null || name is null || string.Equals(recorded.Name, name, StringComparison.Ordinal));

    /// <summary>Throws <see cref="NonDeterministicExecutionException"/> when the recorded operation differs from the node.</summary>
    private static void CheckDeterminism(Operation recorded, OperationType type, string? subType, string? name, string nodeLabel)
    {
        if (!Matches(recorded, type, subType, name))
        {
            throw new NonDeterministicExecutionException(
                $"Non-deterministic replay at operation {recorded.Id}: the checkpoint log records {Describe(recorded.Type, recorded.SubType, recorded.Name)}, "
                + $"but the workflow now declares {Describe(type, subType, name)} ({nodeLabel}) at that position. "
                + "Operations were added, removed or reordered while this execution was in flight; deploy changes as a new version and let running executions finish on the old one.");
        }
    }

    public static string? Name(Definition.Node node, Frame frame, object? value)
        => node.Name?.Resolve(frame.Input, value);

    private static string Describe(OperationType type, string? subType, string? name)
        => $"{UpperSnakeEnumConverter<OperationType>.ToToken(type)}{(subType is null ? string.Empty : "/" + subType)}{(name is null ? string.Empty : $" '{name}'")}";
}
