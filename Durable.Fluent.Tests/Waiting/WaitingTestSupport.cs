using Durable.Fluent.Testing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Waiting;

internal static class WaitingTestSupport
{
    /// <summary>The event types after ExecutionStarted, in EventId order.</summary>
    public static string[] Sequence<T>(TestExecution<T> execution)
        => execution.History.Where(e => e.EventType != HistoryEventType.ExecutionStarted).Select(e => e.EventType.ToString()).ToArray();

    public static void Dump<T>(TestExecution<T> execution)
    {
        foreach (var e in execution.HistoryJson())
        {
            TestContext.Out.WriteLine(e.ToJsonString());
        }
    }
}

public sealed record Approval(bool Approved, string By);

public sealed record Order(string Id, decimal Amount);
