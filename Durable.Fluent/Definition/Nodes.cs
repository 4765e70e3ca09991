using System.Collections.Immutable;
using Durable.Fluent.Retries;
using Durable.Fluent.Serialization;

namespace Durable.Fluent.Definition;

/// <summary>A node of the definition graph. Nodes are immutable and never run anything themselves.</summary>
internal abstract record Node
{
    /// <summary>The operation name, if the node has one.</summary>
    public OperationName? Name { get; init; }

    /// <summary>A short label for diagnostics and rendering (kind plus name).</summary>
    public abstract string Kind { get; }

    public string Describe() => Name is { } n ? $"{Kind} '{n}'" : Kind;
}

/// <summary>An ordered chain of nodes; the output of each node is the input of the next.</summary>
internal sealed record Chain(ImmutableArray<Node> Nodes)
{
    public static Chain Empty { get; } = new(ImmutableArray<Node>.Empty);

    public Chain Append(Node node) => new(Nodes.Add(node));
}

internal delegate ValueTask<object?> StepBody(object? value, StepContext context, CancellationToken cancellationToken);

internal sealed record StepNode(StepBody Body, CodecSpec Codec) : Node
{
    public override string Kind => "Step";

    public StepSemantics Semantics { get; init; } = StepSemantics.AtLeastOncePerRetry;

    public IRetryStrategy? Retry { get; init; }

    /// <summary>A soft per-attempt timeout: the body's cancellation token is cancelled after it.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>A step without a result: it checkpoints no payload and its output is the value it received.</summary>
    public bool PassesValueThrough { get; init; }

    /// <summary>The declared result type (for the build-time check against task-typed results); null for a pass-through step.</summary>
    public Type? ResultType { get; init; }

    public static StepNode From<TSelf>(StepBody body, CodecSpec codec, StepConfiguratorBase<TSelf> cfg, Type? resultType)
        where TSelf : StepConfiguratorBase<TSelf>
        => new(body, codec) { Semantics = cfg.Semantics, Retry = cfg.RetryStrategy, Timeout = cfg.AttemptTimeout, ResultType = resultType };
}

internal sealed record WaitNode(TimeSpan Duration) : Node
{
    public override string Kind => "Wait";

    public int Seconds => (int)(Duration.Ticks / TimeSpan.TicksPerSecond);
}

/// <summary>A pure transformation of the current value; it checkpoints nothing and runs on every replay.</summary>
internal sealed record SelectNode(Func<object?, WorkflowContext, object?> Map) : Node
{
    public override string Kind => "Select";

    /// <summary>The declared result type (for the build-time check against task-typed results); null when it keeps the value.</summary>
    public Type? ResultType { get; init; }
}

/// <summary>A child context running a chain with its own operation ids.</summary>
internal sealed record ChildNode(Chain Body, CodecSpec Codec, string SubType) : Node
{
    public override string Kind => "Child";

    /// <summary>The input of the body: the current value (default) or a projection of it.</summary>
    public Func<object?, object?>? InputSelector { get; init; }

    /// <summary>An inline sub-chain keeps the enclosing workflow's input as <c>ctx.Input</c>; a reusable workflow gets the current value.</summary>
    public bool KeepsWorkflowInput { get; init; }
}

/// <summary>How a node's payloads are (de)serialized: a custom serializer, or JSON of a given type.</summary>
internal sealed class CodecSpec
{
    private readonly PayloadCodec? _custom;
    private readonly Func<System.Text.Json.JsonSerializerOptions, PayloadCodec> _json;
    private Resolved? _resolved;

    private CodecSpec(PayloadCodec? custom, Func<System.Text.Json.JsonSerializerOptions, PayloadCodec> json, Type? jsonType)
    {
        _custom = custom;
        _json = json;
        JsonType = jsonType;
    }

    public bool IsCustom => _custom is not null;

    /// <summary>The type serialized with the workflow's JSON options, when this codec uses them (checked by <c>Build(resolver)</c>).</summary>
    public Type? JsonType { get; }

    public static CodecSpec JsonOf<T>() => new(null, static o => PayloadCodec.Json<T>(o), typeof(T));

    public static CodecSpec Custom<T>(ISerDes<T> serDes) => new(PayloadCodec.For(serDes), static o => PayloadCodec.Json<T>(o), null);

    /// <summary>A codec built from the workflow's JSON options (batch results, whose units have their own codecs).</summary>
    public static CodecSpec FromFactory(Func<System.Text.Json.JsonSerializerOptions, PayloadCodec> factory) => new(null, factory, null);

    public PayloadCodec Resolve(System.Text.Json.JsonSerializerOptions options)
    {
        if (_custom is not null)
        {
            return _custom;
        }

        // A definition runs with one set of options (its workflow's), so the last resolution is almost always the one asked for.
        if (_resolved is { } r && ReferenceEquals(r.Options, options))
        {
            return r.Codec;
        }

        var codec = _json(options);
        _resolved = new Resolved(options, codec);
        return codec;
    }

    // A reference (not a struct) so that concurrent branches read a consistent pair.
    private sealed record Resolved(System.Text.Json.JsonSerializerOptions Options, PayloadCodec Codec);
}

/// <summary>Runs a sub-chain in the same context; an error it raises is matched against typed handlers in order.</summary>
internal sealed record TryNode(Chain Body, ImmutableArray<CatchClause> Handlers) : Node, INestedChains
{
    public override string Kind => "Try";

    public IEnumerable<(Chain Chain, string Label)> GetNestedChains()
        => Arms().Where(a => a.Chain is not null).Select(a => (a.Chain!, a.Label));

    /// <summary>The protected body and every handler in order; a pure fallback function has no chain.</summary>
    public IEnumerable<(Chain? Chain, string Label)> Arms()
    {
        yield return (Body, "try");
        foreach (var h in Handlers)
        {
            yield return (h.Recovery, $"catch {h.ExceptionType.Name}");
        }
    }
}

/// <summary>One typed handler of a <see cref="TryNode"/>: a pure function, or a recovery sub-chain fed with the caught error.</summary>
internal sealed record CatchClause(Type ExceptionType, Func<Exception, object?, WorkflowContext, object?>? Handler, Func<Exception, object?, object?>? RecoveryInput, Chain? Recovery);
