namespace Durable.Fluent.Interpretation;

/// <summary>The result of interpreting a node: a value, or a suspension (the node waits on the service).</summary>
internal readonly struct NodeOutcome
{
    private NodeOutcome(bool suspended, object? value)
    {
        IsSuspended = suspended;
        Value = value;
    }

    public static NodeOutcome Suspended { get; } = new(true, null);

    public bool IsSuspended { get; }

    public object? Value { get; }

    public static NodeOutcome Done(object? value) => new(false, value);
}
