using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Benchmarks;

/// <summary>
/// Checkpoint wire JSON with <see cref="WireJson.Envelope"/>: an OperationUpdate batch (START + SUCCEED pairs of
/// <see cref="Ops"/>/2 steps) and an invocation envelope whose state holds <see cref="Ops"/> operations.
/// </summary>
[MemoryDiagnoser]
public class WireBenchmarks
{
    private List<OperationUpdate> _batch = null!;
    private byte[] _batchJson = null!;
    private DurableExecutionInvocationInput _envelope = null!;
    private byte[] _envelopeJson = null!;

    /// <summary>Operations (updates in the batch, or operations in the envelope).</summary>
    [Params(100, 1000)]
    public int Ops { get; set; }

    /// <summary>Prepares the objects and their JSON.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _batch = new List<OperationUpdate>(Ops);
        for (var i = 0; i < Ops / 2; i++)
        {
            var id = Workflows.RootId(i + 1);
            _batch.Add(new OperationUpdate { Id = id, Name = $"step-{i}", Type = OperationType.Step, SubType = OperationSubTypes.Step, Action = OperationAction.Start });
            _batch.Add(new OperationUpdate { Id = id, Name = $"step-{i}", Type = OperationType.Step, SubType = OperationSubTypes.Step, Action = OperationAction.Succeed, Payload = "{\"orderId\":\"o-" + i + "\",\"total\":42.5}" });
        }

        _batchJson = JsonSerializer.SerializeToUtf8Bytes(_batch, WireJson.Envelope);
        _envelope = new DurableExecutionInvocationInput
        {
            DurableExecutionArn = "arn:aws:lambda:us-east-1:123456789012:function:bench:$LATEST/durable-execution/wire/0001",
            CheckpointToken = "token-0",
            InitialExecutionState = new ExecutionState { Operations = Workflows.CompletedLog(Ops - 1, DateTimeOffset.UnixEpoch) },
            UpdatedOperationIds = [],
        };
        _envelopeJson = JsonSerializer.SerializeToUtf8Bytes(_envelope, WireJson.Envelope);
    }

    /// <summary>Serializes the update batch.</summary>
    /// <returns>The UTF-8 JSON.</returns>
    [Benchmark(Description = "serialize OperationUpdate batch")]
    public byte[] SerializeBatch() => JsonSerializer.SerializeToUtf8Bytes(_batch, WireJson.Envelope);

    /// <summary>Deserializes the update batch.</summary>
    /// <returns>The updates.</returns>
    [Benchmark(Description = "deserialize OperationUpdate batch")]
    public List<OperationUpdate>? DeserializeBatch() => JsonSerializer.Deserialize<List<OperationUpdate>>(_batchJson, WireJson.Envelope);

    /// <summary>Serializes the invocation envelope.</summary>
    /// <returns>The UTF-8 JSON.</returns>
    [Benchmark(Description = "serialize invocation envelope")]
    public byte[] SerializeEnvelope() => JsonSerializer.SerializeToUtf8Bytes(_envelope, WireJson.Envelope);

    /// <summary>Deserializes the invocation envelope.</summary>
    /// <returns>The envelope.</returns>
    [Benchmark(Description = "deserialize invocation envelope")]
    public DurableExecutionInvocationInput? DeserializeEnvelope() => JsonSerializer.Deserialize<DurableExecutionInvocationInput>(_envelopeJson, WireJson.Envelope);
}
