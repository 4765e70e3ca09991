namespace Durable.Fluent;

/// <summary>
/// What the host knows about the current Lambda invocation: its request id and how much time it has left. Step bodies read
/// it as <see cref="StepContext.Invocation"/> to log the request id or to stop starting work the invocation cannot finish.
/// Values are <see langword="null"/> when the host does not provide them.
/// </summary>
public sealed class InvocationInfo
{
    private readonly TimeProvider _time;

    internal InvocationInfo(string? requestId, DateTimeOffset? deadline, TimeProvider time)
    {
        RequestId = requestId;
        Deadline = deadline;
        _time = time;
    }

    /// <summary>The Lambda request id of this invocation (<c>Lambda-Runtime-Aws-Request-Id</c>), when the host provides it.</summary>
    public string? RequestId { get; }

    /// <summary>When the invocation times out (<c>Lambda-Runtime-Deadline-Ms</c>), when the host provides it.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>
    /// The time left before <see cref="Deadline"/> on the invocation's clock (never negative), or <see langword="null"/> when
    /// the deadline is unknown. The test runner's virtual clock applies, so tests see the time they simulate.
    /// </summary>
    public TimeSpan? RemainingTime => Deadline is { } d ? Max(d - _time.GetUtcNow(), TimeSpan.Zero) : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
