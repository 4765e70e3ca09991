using System.Text.Json;
using Durable.Fluent.Serialization;

namespace Durable.Fluent.Definition;

/// <summary>
/// Checks, when a workflow is built over a source-generated JSON context, that every payload type serialized with the
/// workflow's JSON options has metadata in it — so a type missing from the context fails at <c>Build(...)</c> with a
/// <see cref="MissingJsonTypeInfoException"/> that names it, not in production after a step has already run.
/// </summary>
internal static class PayloadTypeRules
{
    public static void Validate(Chain chain, Type input, Type output, JsonSerializerOptions options)
    {
        Check(options, input, "the workflow input");
        Check(options, output, "the workflow result");
        Walk(chain, options);
    }

    private static void Walk(Chain chain, JsonSerializerOptions options)
    {
        foreach (var node in chain.Nodes)
        {
            foreach (var (codec, what) in Codecs(node))
            {
                if (codec?.JsonType is { } type)
                {
                    Check(options, type, $"{what} of {node.Describe()}");
                }
            }

            switch (node)
            {
                case ChildNode c:
                    Walk(c.Body, options);
                    break;
                case CompensationNode c:
                    Walk(new Chain([c.Compensation]), options);
                    break;
            }

            if (node is INestedChains nested)
            {
                foreach (var (body, _) in nested.GetNestedChains())
                {
                    Walk(body, options);
                }
            }
        }
    }

    private static IEnumerable<(CodecSpec? Codec, string What)> Codecs(Node node) => node switch
    {
        StepNode s => [(s.Codec, "the result")],
        ChildNode c => [(c.Codec, "the result")],
        CreateCallbackNode c => [(c.Spec.Codec, "the result")],
        AwaitCallbackNode a => [(a.Spec.Codec, "the result")],
        WaitForCallbackNode w => [(w.Spec.Codec, "the result")],
        WaitForConditionNode w => [(w.StateCodec, "the state")],
        InvokeNode i => [(i.PayloadCodec, "the payload"), (i.ResultCodec, "the result")],
        ParallelNode p => [.. p.Branches.Select(b => ((CodecSpec?)b.Codec, $"the result of branch '{b.Name}'")), (p.ResultCodec, "the result")],
        MapNode m => [(m.ItemCodec, "the item result"), (m.ResultCodec, "the result")],
        _ => [],
    };

    private static void Check(JsonSerializerOptions options, Type type, string what)
    {
        // A value declared as object is written with its runtime type's metadata, which only the run can know.
        if (type != typeof(object))
        {
            DurableJson.TypeInfo(options, type, what);
        }
    }
}
