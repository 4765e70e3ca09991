namespace Durable.Fluent.Definition;

/// <summary>Checks a chain before it is frozen: names, durations, nesting.</summary>
internal static class DefinitionValidator
{
    /// <summary>Marks a step declared with a lambda and no name; rejected by <see cref="Validate"/>.</summary>
    public static readonly OperationName Unnamed = OperationName.FromInput<object?>(_ => throw new InvalidOperationException("unnamed"));

    public const int MaxDurationSeconds = 31_622_400;

    public static void Validate(Chain chain, string contextLabel)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < chain.Nodes.Length; i++)
        {
            var node = chain.Nodes[i];
            var where = $"{node.Kind} #{i + 1} in the {contextLabel}";
            if (ReferenceEquals(node.Name, Unnamed))
            {
                throw new WorkflowDefinitionException($"{where} has no name: it was declared with a lambda. Pass a name (\"verb_noun\", e.g. \"validate_order\") or a method group, whose method name becomes the step name.");
            }

            if (node.Name is { IsDynamic: false, Static: var s })
            {
                NameRules.Validate(s, $"The name of {where}");
                if (!seen.Add(s!))
                {
                    throw new WorkflowDefinitionException($"{node.Kind} '{s}' (#{i + 1} in the {contextLabel}) reuses a name already used in the same context. Names identify operations in logs and histories; give each one a distinct name.");
                }
            }

            switch (node)
            {
                case WaitNode w:
                    ValidateDuration(w.Duration, $"{node.Kind} {(node.Name is null ? $"#{i + 1}" : $"'{node.Name}'")} in the {contextLabel}");
                    break;
                case StepNode { ResultType: { } stepResult }:
                    ValidateResultType(stepResult, $"The result of {node.Describe()} (#{i + 1} in the {contextLabel})");
                    break;
                case SelectNode { ResultType: { } selected }:
                    ValidateResultType(selected, $"The value computed by Select #{i + 1} in the {contextLabel}");
                    break;
                case ParallelNode p:
                    ValidateBatchSettings(p.Settings, $"{node.Describe()} (#{i + 1} in the {contextLabel})");
                    break;
                case MapNode m:
                    ValidateBatchSettings(m.Settings, $"{node.Describe()} (#{i + 1} in the {contextLabel})");
                    break;
                case ChildNode c:
                    Validate(c.Body, $"child context '{c.Name}'");
                    break;
            }

            foreach (var nested in NestedChains(node))
            {
                Validate(nested.Chain, nested.Label);
            }
        }
    }

    /// <summary>
    /// Rejects a task-typed value: a step or function whose result is a <see cref="Task"/> or <see cref="ValueTask"/> was bound
    /// to a synchronous overload, so the checkpoint would hold the serialized task object instead of its result.
    /// </summary>
    public static void ValidateResultType(Type type, string what)
    {
        if (!IsTaskLike(type))
        {
            return;
        }

        throw new WorkflowDefinitionException(
            $"{what} is a {TypeName(type)}: an asynchronous body was bound to a synchronous overload, so the task object itself "
            + "would be checkpointed instead of its result. Make the step body async with a CancellationToken, "
            + "(value, ctx, ct) => ...Async(value, ct), or await the task inside a step; Select, Do and other orchestration code must not start asynchronous work.");
    }

    public static bool IsTaskLike(Type type)
        => typeof(Task).IsAssignableFrom(type)
            || type == typeof(ValueTask)
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>));

    private static string TypeName(Type type)
        => type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>" : type.Name;

    private static void ValidateBatchSettings(BatchSettings settings, string what)
    {
        if (settings.MaxConcurrency is < 1)
        {
            throw new WorkflowDefinitionException($"{what}: MaxConcurrency({settings.MaxConcurrency}) must be at least 1; leave it out for no limit.");
        }

        if (settings.BatchSize < 1)
        {
            throw new WorkflowDefinitionException($"{what}: BatchSize({settings.BatchSize}) must be at least 1.");
        }
    }

    public static int ValidateDuration(TimeSpan duration, string what, bool allowZero = false)
    {
        if (allowZero && duration == TimeSpan.Zero)
        {
            return 0;
        }

        if (duration < TimeSpan.FromSeconds(1) || duration > TimeSpan.FromSeconds(MaxDurationSeconds))
        {
            throw new WorkflowDefinitionException($"{what}: duration {duration} is out of range; durations must be between 1 second and {MaxDurationSeconds:N0} seconds (366 days).");
        }

        if (duration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new WorkflowDefinitionException($"{what}: duration {duration} is not a whole number of seconds; the service schedules in whole seconds (use TimeSpan.FromSeconds with an integer).");
        }

        return (int)(duration.Ticks / TimeSpan.TicksPerSecond);
    }

    private static IEnumerable<(Chain Chain, string Label)> NestedChains(Node node) => node switch
    {
        INestedChains n => n.GetNestedChains(),
        _ => [],
    };
}

/// <summary>Implemented by nodes that hold sub-chains other than a child body (branches, arms, map item chains).</summary>
internal interface INestedChains
{
    IEnumerable<(Chain Chain, string Label)> GetNestedChains();
}
