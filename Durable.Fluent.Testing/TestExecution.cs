using System.Text.Json;
using System.Text.Json.Nodes;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing;

/// <summary>An execution run by the <see cref="DurableTestRunner"/>: its status, result, operations, history and logs.</summary>
/// <typeparam name="TOut">The workflow result type.</typeparam>
public sealed partial class TestExecution<TOut> : ITestExecution
{
    private readonly DurableTestRunner _runner;
    private readonly Func<DurableExecutionInvocationInput, string, CancellationToken, Task<DurableExecutionInvocationOutput>> _handler;
    private readonly Func<string?, object?> _readResult;

    internal TestExecution(
        DurableTestRunner runner,
        string arn,
        Func<DurableExecutionInvocationInput, string, CancellationToken, Task<DurableExecutionInvocationOutput>> handler,
        Func<string?, object?> readResult)
    {
        _runner = runner;
        DurableExecutionArn = arn;
        _handler = handler;
        _readResult = readResult;
    }

    /// <summary>The execution ARN.</summary>
    public string DurableExecutionArn { get; }

    /// <summary>The execution status (RUNNING while suspended on something the test must provide).</summary>
    public ExecutionStatus Status => Snapshot.Status;

    /// <summary>The result, deserialized (default when not succeeded).</summary>
    public TOut? Result => Status == ExecutionStatus.Succeeded ? (TOut?)_readResult(Snapshot.Result) : default;

    /// <summary>The result as the JSON text the handler returned.</summary>
    public string? ResultPayload => Snapshot.Result;

    /// <summary>The execution error, when failed or stopped.</summary>
    public ErrorObject? Error => Snapshot.Error;

    /// <summary>What GetDurableExecution reports.</summary>
    public Engine.ExecutionSnapshot Snapshot => _runner.Engine.GetExecution(DurableExecutionArn);

    /// <summary>The history events, EventId 1 first.</summary>
    public IReadOnlyList<HistoryEvent> History => _runner.Engine.GetHistory(DurableExecutionArn);

    /// <summary>Every operation, in creation order (including children of finished contexts).</summary>
    public IReadOnlyList<Operation> Operations => _runner.Engine.GetOperations(DurableExecutionArn);

    /// <summary>How many handler invocations ran.</summary>
    public int Invocations => History.Count(e => e.EventType == HistoryEventType.InvocationCompleted);

    /// <summary>The log lines written while this execution ran.</summary>
    public IReadOnlyList<CapturedLog> Logs => _runner.Logs.Lines.Where(l => l.Properties.TryGetValue("durableExecutionArn", out var a) && (a as string) == DurableExecutionArn).ToList();

    /// <summary>The history as the JSON of GetDurableExecutionHistory's <c>Events</c> (REST timestamps in epoch seconds).</summary>
    /// <returns>The events as JSON objects.</returns>
    public IReadOnlyList<JsonObject> HistoryJson()
        => History.Select(e => JsonSerializer.SerializeToNode(e, WireJson.Info<HistoryEvent>(WireJson.Rest))!.AsObject()).ToList();

    /// <summary>The single operation named <paramref name="name"/>.</summary>
    /// <param name="name">The operation name.</param>
    /// <returns>The operation.</returns>
    /// <exception cref="InvalidOperationException">No operation, or several, have that name; the message lists the names there are.</exception>
    public Operation GetOperation(string name)
    {
        var ops = Operations;
        var matches = ops.Where(o => o.Name == name).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new InvalidOperationException($"No operation named '{name}'. Operations: {string.Join(", ", ops.Where(o => o.Name is not null).Select(o => $"'{o.Name}'").Distinct())}."),
            _ => throw new InvalidOperationException($"{matches.Count} operations are named '{name}'; use GetOperations(\"{name}\")."),
        };
    }

    /// <summary>All operations named <paramref name="name"/>, in creation order.</summary>
    /// <param name="name">The operation name.</param>
    /// <returns>The operations.</returns>
    public IReadOnlyList<Operation> GetOperations(string name) => Operations.Where(o => o.Name == name).ToList();

    /// <summary>Continues driving the execution (after the test sent a callback, for example) until it ends or blocks again.</summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task.</returns>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => _runner.DriveAsync(DurableExecutionArn, _handler, cancellationToken);
}

/// <summary>The untyped view of a <see cref="TestExecution{TOut}"/>, for harnesses that run many workflows.</summary>
public interface ITestExecution
{
    /// <summary>The execution ARN.</summary>
    string DurableExecutionArn { get; }

    /// <summary>The execution status.</summary>
    ExecutionStatus Status { get; }

    /// <summary>The result JSON text.</summary>
    string? ResultPayload { get; }

    /// <summary>The execution error.</summary>
    ErrorObject? Error { get; }

    /// <summary>The history events.</summary>
    IReadOnlyList<HistoryEvent> History { get; }

    /// <summary>The log lines of this execution.</summary>
    IReadOnlyList<CapturedLog> Logs { get; }

    /// <summary>The history as REST JSON objects.</summary>
    /// <returns>The events.</returns>
    IReadOnlyList<JsonObject> HistoryJson();

    /// <summary>Continues driving the execution.</summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task.</returns>
    Task ResumeAsync(CancellationToken cancellationToken = default);
}
