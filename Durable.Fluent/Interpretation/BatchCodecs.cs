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

    // Written with Utf8JsonWriter and read with JsonDocument rather than a JsonNode DOM: a map result holds one entry per
    // item and is serialized and read back on every run; the output text is the same as the DOM's ToJsonString().
    public static void WriteItems(Utf8JsonWriter writer, IEnumerable<ItemOutcome> items, Func<int, PayloadCodec> codecOf, SerDesContext context, JsonSerializerOptions json)
    {
        writer.WriteStartArray();
        foreach (var o in items)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", o.Index);
            if (o.Name is null)
            {
                writer.WriteNull("name");
            }
            else
            {
                writer.WriteString("name", o.Name);
            }

            writer.WriteString("status", UpperSnakeEnumConverter<BatchItemStatus>.ToToken(o.Status));
            if (o.Status == BatchItemStatus.Succeeded)
            {
                var result = codecOf(o.Index).Serialize(o.Value, context);
                if (result is null)
                {
                    writer.WriteNull("result");
                }
                else
                {
                    writer.WriteString("result", result);
                }
            }

            if (o.Error is not null)
            {
                writer.WritePropertyName("error");
                JsonSerializer.Serialize(writer, o.Error, ErrorInfo(json));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static List<ItemOutcome> ReadItems(JsonElement array, Func<int, PayloadCodec> codecOf, SerDesContext context, JsonSerializerOptions json)
    {
        var list = new List<ItemOutcome>(array.ValueKind == JsonValueKind.Array ? array.GetArrayLength() : 0);
        if (array.ValueKind != JsonValueKind.Array)
        {
            return list;
        }

        foreach (var e in array.EnumerateArray())
        {
            var index = e.GetProperty("index").GetInt32();
            var status = ParseStatus(e.GetProperty("status").GetString()!);
            var value = status == BatchItemStatus.Succeeded ? codecOf(index).Deserialize(StringOrNull(e, "result"), context) : null;
            var error = e.TryGetProperty("error", out var err) && err.ValueKind != JsonValueKind.Null ? err.Deserialize(ErrorInfo(json)) : null;
            list.Add(new ItemOutcome(index, StringOrNull(e, "name"), status, value, error));
        }

        return list;
    }

    // Item errors are written with the workflow's payload options (so the text is what it always was); Build(resolver) adds
    // ErrorObject's source-generated metadata to those options, reflection supplies it otherwise.
    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<ErrorObject> ErrorInfo(JsonSerializerOptions json)
        => DurableJson.TypeInfo<ErrorObject>(json, "a batch item error");

    internal static string? StringOrNull(JsonElement e, string property)
        => e.TryGetProperty(property, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetString() : null;

    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;

    internal static string Write(Action<Utf8JsonWriter> write)
    {
        // One buffer per thread, reused: a batch result of many items no longer regrows (and copies) a fresh buffer on
        // every write. A nested write (an item whose codec writes a batch) finds none cached and uses its own.
        var buffer = t_buffer ?? new System.Buffers.ArrayBufferWriter<byte>(1024);
        t_buffer = null;
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                write(writer);
            }

            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        finally
        {
            if (buffer.Capacity <= 256 * 1024)
            {
                buffer.ResetWrittenCount();
                t_buffer = buffer;
            }
        }
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
        int succeeded = 0, failed = 0;
        foreach (var i in o)
        {
            succeeded += i.Status == BatchItemStatus.Succeeded ? 1 : 0;
            failed += i.Status == BatchItemStatus.Failed ? 1 : 0;
        }

        return BatchCodecs.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("completionReason", UpperSnakeEnumConverter<CompletionReason>.ToToken(view.Reason));
            w.WriteNumber("totalCount", o.Count);
            w.WriteNumber("successCount", succeeded);
            w.WriteNumber("failureCount", failed);
            w.WritePropertyName("all");
            BatchCodecs.WriteItems(w, o, codecOf, context, json);
            w.WriteEndObject();
        });
    }

    public override object? Deserialize(string? payload, SerDesContext context)
    {
        if (string.IsNullOrEmpty(payload))
        {
            return materialize([], CompletionReason.AllCompleted, context.OperationId, batchSize);
        }

        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        var items = BatchCodecs.ReadItems(root.TryGetProperty("all", out var all) ? all : default, codecOf, context, json);
        return materialize(items, BatchCodecs.ParseReason(BatchCodecs.StringOrNull(root, "completionReason")), context.OperationId, batchSize);
    }
}

/// <summary>The codec of an item-batch context (map with BatchSize &gt; 1): its items' outcomes.</summary>
internal sealed class ItemBatchCodec(Func<int, PayloadCodec> codecOf, JsonSerializerOptions json) : PayloadCodec
{
    public override string? Serialize(object? value, SerDesContext context)
        => BatchCodecs.Write(w => BatchCodecs.WriteItems(w, (IReadOnlyList<ItemOutcome>)value!, codecOf, context, json));

    public override object? Deserialize(string? payload, SerDesContext context)
    {
        if (string.IsNullOrEmpty(payload))
        {
            return new List<ItemOutcome>();
        }

        using var doc = JsonDocument.Parse(payload);
        return BatchCodecs.ReadItems(doc.RootElement, codecOf, context, json);
    }
}
