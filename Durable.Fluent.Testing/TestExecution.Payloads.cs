using System.Text;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing;

/// <summary>The size of one checkpointed payload, as <see cref="TestExecution{TOut}.PayloadSizes"/> reports it.</summary>
/// <param name="OperationId">The operation id.</param>
/// <param name="Name">The operation name.</param>
/// <param name="Type">The operation type.</param>
/// <param name="Bytes">The UTF-8 size of its checkpointed result (or state).</param>
public sealed record PayloadSize(string OperationId, string? Name, OperationType Type, int Bytes);

public sealed partial class TestExecution<TOut>
{
    /// <summary>
    /// Checkpoint-size budgeting at test time: every checkpointed result, largest first. Step results over 256 KiB fail the
    /// step, and large payloads slow every replay — catch growth here, before it reaches production.
    /// </summary>
    /// <returns>The payload sizes, largest first.</returns>
    public IReadOnlyList<PayloadSize> PayloadSizes()
        => Operations
            .Select(o => (Op: o, Payload: o.StepDetails?.Result ?? o.ContextDetails?.Result ?? o.CallbackDetails?.Result ?? o.ChainedInvokeDetails?.Result))
            .Where(p => !string.IsNullOrEmpty(p.Payload))
            .Select(p => new PayloadSize(p.Op.Id, p.Op.Name, p.Op.Type, Encoding.UTF8.GetByteCount(p.Payload!)))
            .OrderByDescending(p => p.Bytes)
            .ToList();

    /// <summary>Throws when any checkpointed result is larger than <paramref name="maxBytes"/>, naming the offenders.</summary>
    /// <param name="maxBytes">The budget, for example 64 KiB.</param>
    /// <exception cref="InvalidOperationException">At least one payload is over budget.</exception>
    public void EnsurePayloadsWithin(int maxBytes)
    {
        var over = PayloadSizes().Where(p => p.Bytes > maxBytes).ToList();
        if (over.Count > 0)
        {
            throw new InvalidOperationException(
                $"{over.Count} checkpointed payload(s) exceed the budget of {maxBytes:N0} bytes: "
                + string.Join(", ", over.Select(p => $"{UpperSnakeEnumConverter<OperationType>.ToToken(p.Type)} '{p.Name ?? p.OperationId}' ({p.Bytes:N0} bytes)"))
                + ". Store large data elsewhere and checkpoint a reference.");
        }
    }
}
