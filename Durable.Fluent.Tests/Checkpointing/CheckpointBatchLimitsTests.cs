using System.Text;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Checkpointing;

[TestFixture]
public sealed class CheckpointBatchLimitsTests
{
    private static OperationUpdate Update(int i, int payloadBytes = 0) => new()
    {
        Id = "op-" + i,
        Type = OperationType.Step,
        Action = OperationAction.Succeed,
        Payload = payloadBytes > 0 ? new string('x', payloadBytes) : null,
    };

    [Test]
    public void No_updates_give_no_batches()
        => Assert.That(CheckpointBatchLimits.Split([], "tok"), Is.Empty);

    [Test]
    public void Batches_hold_at_most_200_updates_in_order()
    {
        var updates = Enumerable.Range(0, 450).Select(i => Update(i)).ToList();

        var batches = CheckpointBatchLimits.Split(updates, "tok");

        Assert.That(batches.Select(b => b.Count), Is.EqualTo(new[] { 200, 200, 50 }));
        Assert.That(batches.SelectMany(b => b), Is.EqualTo(updates));
    }

    [TestCase(450, 0)]
    [TestCase(201, 100)]
    [TestCase(600, 1500)]
    [TestCase(5, 300 * 1024)]
    [TestCase(400, 4000)]
    public void The_batcher_splits_exactly_as_the_limits_do(int count, int payloadBytes)
    {
        var updates = Enumerable.Range(0, count).Select(i => Update(i, payloadBytes)).ToList();
        var batcher = new CheckpointBatcher(new NoStore(), "arn", "tok", _ => { });

        var fast = batcher.Split(updates);
        var exact = CheckpointBatchLimits.Split(updates, "tok");

        Assert.That(fast.Select(b => b.Select(u => u.Id)), Is.EqualTo(exact.Select(b => b.Select(u => u.Id))));
    }

    [Test]
    public void The_batcher_counts_every_field_of_an_update_toward_the_limit()
    {
        // Chained-invoke STARTs carry a function name, a tenant id and a trace header besides the payload: a
        // group commit of 200 of them, payloads escaped to 6 bytes a character, must still be split to fit.
        var updates = Enumerable.Range(0, 200).Select(i => new OperationUpdate
        {
            Id = "op-" + i,
            Type = OperationType.ChainedInvoke,
            Action = OperationAction.Start,
            Payload = new string('\u0001', 500),
            ChainedInvokeOptions = new ChainedInvokeOptions { FunctionName = new string('f', 256), TenantId = new string('\u0001', 256), XAmznTraceId = new string('\u0001', 256) },
        }).ToList();
        var batcher = new CheckpointBatcher(new NoStore(), "arn", "tok", _ => { });

        var batches = batcher.Split(updates);

        foreach (var batch in batches)
        {
            var size = batch.Sum(CheckpointBatchLimits.EstimateSize) + "tok".Length + CheckpointBatchLimits.RequestOverheadBytes;
            Assert.That(size, Is.LessThanOrEqualTo(CheckpointBatchLimits.MaxRequestBytes));
        }

        Assert.That(batches.SelectMany(b => b), Is.EqualTo(updates));
    }

    private sealed class NoStore : ICheckpointStore
    {
        public Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Test]
    public void Batches_stay_within_750_KiB()
    {
        var updates = Enumerable.Range(0, 5).Select(i => Update(i, 300 * 1024)).ToList();

        var batches = CheckpointBatchLimits.Split(updates, "tok");

        Assert.That(batches.Select(b => b.Count), Is.EqualTo(new[] { 2, 2, 1 }));
        foreach (var batch in batches)
        {
            var size = batch.Sum(CheckpointBatchLimits.EstimateSize) + "tok".Length + CheckpointBatchLimits.RequestOverheadBytes;
            Assert.That(size, Is.LessThanOrEqualTo(CheckpointBatchLimits.MaxRequestBytes));
        }
    }

    [Test]
    public void An_oversized_update_goes_alone()
    {
        var updates = new[] { Update(0), Update(1, 800 * 1024), Update(2) };

        var batches = CheckpointBatchLimits.Split(updates, "tok");

        Assert.That(batches.Select(b => b.Select(u => u.Id)), Is.EqualTo(new[] { new[] { "op-0" }, new[] { "op-1" }, new[] { "op-2" } }));
    }

    [Test]
    public void The_token_length_counts_toward_the_limit()
    {
        // Two updates that fit exactly with a 1-character token, and no longer fit with a 2-character token.
        var probe = Update(0, 1000);
        var overhead = CheckpointBatchLimits.EstimateSize(probe) - 1000;
        var half = (CheckpointBatchLimits.MaxRequestBytes - CheckpointBatchLimits.RequestOverheadBytes - 1) / 2;
        var a = Update(0, half - overhead);
        var b = Update(1, CheckpointBatchLimits.MaxRequestBytes - CheckpointBatchLimits.RequestOverheadBytes - 1
            - CheckpointBatchLimits.EstimateSize(a) - overhead);
        Assert.That(
            CheckpointBatchLimits.EstimateSize(a) + CheckpointBatchLimits.EstimateSize(b) + 1 + CheckpointBatchLimits.RequestOverheadBytes,
            Is.EqualTo(CheckpointBatchLimits.MaxRequestBytes));

        Assert.That(CheckpointBatchLimits.Split([a, b], "t"), Has.Count.EqualTo(1));
        Assert.That(CheckpointBatchLimits.Split([a, b], "tt"), Has.Count.EqualTo(2));
    }

    [Test]
    public void Size_is_the_UTF8_JSON_length_of_the_update()
    {
        var update = new OperationUpdate { Id = "1", Type = OperationType.Step, Action = OperationAction.Succeed, Payload = "\"héllo €\"" };

        var expected = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(update, WireJson.Rest));

        Assert.That(CheckpointBatchLimits.EstimateSize(update), Is.EqualTo(expected));
        Assert.That(expected, Is.GreaterThan(JsonSerializer.Serialize(update, WireJson.Rest).Length), "multi-byte characters count as bytes");
    }
}
