using System.Text.Json;
using System.Text.Json.Nodes;
using Durable.Fluent.Definition;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Interpretation;

/// <summary>The untyped outcome of one branch or item, as the interpreter moves it.</summary>
internal sealed record ItemOutcome(int Index, string? Name, BatchItemStatus Status, object? Value, ErrorObject? Error);

/// <summary>
/// Payload formats of parallel and map.
/// <para>Parent (default serializer): <c>{"completionReason":"ALL_COMPLETED","totalCount":n,"successCount":s,"failureCount":f,
/// "all":[{"index":0,"name":"user","status":"SUCCEEDED","result":"&lt;unit payload text&gt;"},{"index":1,...,"status":"FAILED","error":{...}}]}</c>.
/// Each <c>result</c> is the unit's payload text produced by the unit's own serializer (so heterogeneous branches and custom
/// item serializers round-trip exactly); undispatched units are absent.</para>
/// <para>Item batch context (map with BatchSize &gt; 1): the <c>all</c> array of its items.</para>
/// <para>Summary when the parent payload is over 256 KiB (written with ReplayChildren):
/// <c>{"type":"MapResult"|"ParallelResult","totalCount","completionReason","successCount","failureCount","startedCount","status","completedIndexes":[...]}</c>.</para>
/// </summary>
internal static class BatchCodecs
{
    public static string ItemOperationId(string parentId, int index, int batchSize)
        => batchSize <= 1
            ? OperationIds.Create(parentId, index + 1)
            : OperationIds.Create(OperationIds.Create(parentId, (index / batchSize) + 1), (index % batchSize) + 1);

    public static JsonArray WriteItems(IEnumerable<ItemOutcome> items, Func<int, PayloadCodec> codecOf, SerDesContext context, JsonSerializerOptions json)
    {
        var array = new JsonArray();
        foreach (var o in items)
        {
            var entry = new JsonObject
            {
                ["index"] = o.Index,
                ["name"] = o.Name,
                ["status"] = UpperSnakeEnumConverter<BatchItemStatus>.ToToken(o.Status),
            };
            if (o.Status == BatchItemStatus.Succeeded)
            {
                entry["result"] = codecOf(o.Index).Serialize(o.Value, context);
            }

            if (o.Error is not null)
            {
                entry["error"] = JsonSerializer.SerializeToNode(o.Error, json);
            }

            array.Add(entry);
        }

        return array;
    }

    public static List<ItemOutcome> ReadItems(JsonArray? array, Func<int, PayloadCodec> codecOf, SerDesContext context, JsonSerializerOptions json)
    {
        var list = new List<ItemOutcome>();
        foreach (var node in array ?? new JsonArray())
        {
            var e = node!.AsObject();
            var index = e["index"]!.GetValue<int>();
            var status = ParseStatus(e["status"]!.GetValue<string>());
            var value = status == BatchItemStatus.Succeeded ? codecOf(index).Deserialize(e["result"]?.GetValue<string>(), context) : null;
            var error = e["error"] is { } err ? err.Deserialize<ErrorObject>(json) : null;
            list.Add(new ItemOutcome(index, e["name"]?.GetValue<string>(), status, value, error));
        }

        return list;
    }

    public static BatchItemStatus ParseStatus(string token) => token switch
    {
        "SUCCEEDED" => BatchItemStatus.Succeeded,
        "FAILED" => BatchItemStatus.Failed,
        _ => BatchItemStatus.Started,
    };

    public static CompletionReason ParseReason(string? token) => token switch
    {
        "MIN_SUCCESSFUL_REACHED" => CompletionReason.MinSuccessfulReached,
        "FAILURE_TOLERANCE_EXCEEDED" => CompletionReason.FailureToleranceExceeded,
        _ => CompletionReason.AllCompleted,
    };

    public static string Summary(IBatchView view, string type)
    {
        var o = view.Outcomes;
        var failed = o.Count(i => i.Status == BatchItemStatus.Failed);
        var summary = new JsonObject
        {
            ["type"] = type,
            ["totalCount"] = o.Count,
            ["completionReason"] = UpperSnakeEnumConverter<CompletionReason>.ToToken(view.Reason),
            ["successCount"] = o.Count(i => i.Status == BatchItemStatus.Succeeded),
            ["failureCount"] = failed,
            ["startedCount"] = o.Count(i => i.Status == BatchItemStatus.Started),
            ["status"] = failed > 0 ? "FAILED" : "SUCCEEDED",
            ["completedIndexes"] = new JsonArray(o.Where(i => i.Status != BatchItemStatus.Started).Select(i => (JsonNode?)JsonValue.Create(i.Index)).ToArray()),
        };
        return summary.ToJsonString();
    }

    /// <summary>Reads a summary written by <see cref="Summary"/>; null when the payload is not one (then every recorded unit re-runs).</summary>
    public static (HashSet<int> Completed, CompletionReason Reason)? ReadSummary(string? payload)
    {
        if (string.IsNullOrEmpty(payload))
        {
            return null;
        }

        try
        {
            var o = JsonNode.Parse(payload)?.AsObject();
            if (o?["completedIndexes"] is not JsonArray indexes)
            {
                return null;
            }

            return (indexes.Select(i => i!.GetValue<int>()).ToHashSet(), ParseReason(o["completionReason"]?.GetValue<string>()));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The default codec of a parallel/map result: the JSON format of <see cref="BatchCodecs"/>.</summary>
internal sealed class BatchPayloadCodec(Func<int, PayloadCodec> codecOf, BatchMaterializer materialize, int batchSize, JsonSerializerOptions json) : PayloadCodec
{
    public override string? Serialize(object? value, SerDesContext context)
    {
        var view = (IBatchView)value!;
        var o = view.Outcomes;
        var root = new JsonObject
        {
            ["completionReason"] = UpperSnakeEnumConverter<CompletionReason>.ToToken(view.Reason),
            ["totalCount"] = o.Count,
            ["successCount"] = o.Count(i => i.Status == BatchItemStatus.Succeeded),
            ["failureCount"] = o.Count(i => i.Status == BatchItemStatus.Failed),
            ["all"] = BatchCodecs.WriteItems(o, codecOf, context, json),
        };
        return root.ToJsonString();
    }

    public override object? Deserialize(string? payload, SerDesContext context)
    {
        var root = string.IsNullOrEmpty(payload) ? new JsonObject() : JsonNode.Parse(payload)!.AsObject();
        var items = BatchCodecs.ReadItems(root["all"] as JsonArray, codecOf, context, json);
        return materialize(items, BatchCodecs.ParseReason(root["completionReason"]?.GetValue<string>()), context.OperationId, batchSize);
    }
}

/// <summary>The codec of an item-batch context (map with BatchSize &gt; 1): its items' outcomes.</summary>
internal sealed class ItemBatchCodec(Func<int, PayloadCodec> codecOf, JsonSerializerOptions json) : PayloadCodec
{
    public override string? Serialize(object? value, SerDesContext context)
        => BatchCodecs.WriteItems((IReadOnlyList<ItemOutcome>)value!, codecOf, context, json).ToJsonString();

    public override object? Deserialize(string? payload, SerDesContext context)
        => BatchCodecs.ReadItems(string.IsNullOrEmpty(payload) ? null : JsonNode.Parse(payload) as JsonArray, codecOf, context, json);
}
