using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing.Engine;

/// <summary>
/// The filters and paging of ListDurableExecutionsByFunction (and of the emulator's list of every execution): applied by
/// the engine to the executions in memory, or by the state store to its indexed rows.
/// </summary>
internal sealed record ExecutionQuery
{
    /// <summary>Only executions of this function (its name), or all.</summary>
    public string? FunctionName { get; init; }

    /// <summary>Only executions with this name.</summary>
    public string? ExecutionName { get; init; }

    /// <summary>Only executions of this version or alias.</summary>
    public string? Qualifier { get; init; }

    /// <summary>Only executions in one of these statuses (empty: any).</summary>
    public IReadOnlyCollection<ExecutionStatus> Statuses { get; init; } = [];

    /// <summary>Only executions started strictly after this time.</summary>
    public DateTimeOffset? StartedAfter { get; init; }

    /// <summary>Only executions started strictly before this time.</summary>
    public DateTimeOffset? StartedBefore { get; init; }

    /// <summary>Newest first instead of oldest first.</summary>
    public bool Reverse { get; init; }

    /// <summary>Whether a snapshot of an execution of <paramref name="functionName"/> passes the filters.</summary>
    public bool Matches(ExecutionSnapshot s, string functionName)
        => (FunctionName is null || FunctionName == functionName)
            && (ExecutionName is null || ExecutionName == s.DurableExecutionName)
            && (Qualifier is null || Qualifier == s.Version)
            && (Statuses.Count == 0 || Statuses.Contains(s.Status))
            && (StartedAfter is not { } after || s.StartTimestamp > after)
            && (StartedBefore is not { } before || s.StartTimestamp < before);
}

/// <summary>One page of a listing.</summary>
/// <param name="Items">The executions on the page.</param>
/// <param name="More">Whether more executions follow.</param>
internal sealed record ExecutionPage(IReadOnlyList<ExecutionSnapshot> Items, bool More);
