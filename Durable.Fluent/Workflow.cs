using System.Security.Cryptography;
using System.Text;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Definition;
using Durable.Fluent.Hosting;
using Durable.Fluent.Wire;

namespace Durable.Fluent;

/// <summary>
/// A built, validated and immutable workflow definition. It is a value: build it once (for example in a static field),
/// share it between functions, run it as a child of another workflow, render it with <see cref="Describe"/>.
/// </summary>
/// <typeparam name="TIn">The input type.</typeparam>
/// <typeparam name="TOut">The result type.</typeparam>
public sealed class Workflow<TIn, TOut>
{
    private string? _fingerprint;

    internal Workflow(Chain chain, WorkflowOptions options)
    {
        Chain = chain;
        Options = options;
        Json = options.JsonOptions ?? throw new ArgumentException("A built workflow's options carry its JSON options.", nameof(options));
    }

    /// <summary>The options the workflow was built with (<see cref="WorkflowOptions.JsonOptions"/> is always set).</summary>
    public WorkflowOptions Options { get; }

    /// <summary>
    /// The serializer options of the workflow's payloads: the input, the result, and every payload without a custom serializer
    /// (reflection-based after <c>Build()</c>, source-generated after <c>Build(resolver)</c>).
    /// </summary>
    public System.Text.Json.JsonSerializerOptions Json { get; }

    internal Chain Chain { get; }

    /// <summary>
    /// A stable hash of the graph's shape (node kinds and names, in order). It changes when a node is added, removed,
    /// reordered or renamed: compare it across deployments to spot changes that break in-flight executions.
    /// </summary>
    public string Fingerprint => _fingerprint ??= Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Describe()))).ToLowerInvariant()[..16];

    /// <summary>Renders the graph as indented text, one node per line.</summary>
    /// <returns>The rendering.</returns>
    public string Describe() => DefinitionRenderer.Render(Chain);

    /// <summary>
    /// Renders the graph as a Mermaid flowchart (paste it into any Markdown that renders Mermaid): steps as boxes, waits and
    /// polls as rounded boxes, callbacks and invokes as hexagons, and a subgraph for every child context, parallel branch,
    /// map item chain, If/Switch arm and Try/Catch handler. Drawn from the definition alone, before anything runs.
    /// </summary>
    /// <returns>The Mermaid source.</returns>
    public string ToMermaid() => MermaidRenderer.Render(Chain);

    /// <summary>
    /// Runs one invocation of the workflow against <paramref name="store"/>: replays the checkpoint log in the envelope,
    /// runs what is new, and returns SUCCEEDED, FAILED or PENDING.
    /// </summary>
    /// <param name="input">The invocation envelope the service sent.</param>
    /// <param name="store">The checkpoint port (the AWS API client, the local service or an in-memory engine).</param>
    /// <param name="runOptions">Invocation options (clock, logging).</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>The invocation output.</returns>
    /// <exception cref="InvalidInvocationInputException">The envelope is not a durable execution envelope.</exception>
    /// <exception cref="CheckpointException">A retryable service error: let it escape so Lambda retries the invocation.</exception>
    public Task<DurableExecutionInvocationOutput> HandleAsync(
        DurableExecutionInvocationInput input,
        ICheckpointStore store,
        DurableRunOptions? runOptions = null,
        CancellationToken cancellationToken = default)
        => DurableInvocation.RunAsync(this.AsDefinition(), input, store, runOptions ?? DurableRunOptions.Default, cancellationToken);

    /// <summary>
    /// The Lambda entry: runs one invocation against the durable execution API of the function's own region, through a
    /// <see cref="Checkpointing.Http.LambdaDurableExecutionClient"/> created once per process with options from the
    /// environment (<c>AWS_REGION</c>, optionally <c>AWS_ENDPOINT_URL_LAMBDA</c>, the default credential chain).
    /// </summary>
    /// <example>
    /// <code>
    /// public Task&lt;DurableExecutionInvocationOutput&gt; Handler(DurableExecutionInvocationInput input)
    ///     =&gt; OrderWorkflow.Definition.HandleAsync(input);
    /// </code>
    /// </example>
    /// <param name="input">The invocation envelope the service sent.</param>
    /// <param name="runOptions">Invocation options (clock, logging), or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>The invocation output: SUCCEEDED, FAILED or PENDING.</returns>
    /// <exception cref="InvalidInvocationInputException">The envelope is not a durable execution envelope.</exception>
    /// <exception cref="CheckpointException">A retryable service error: let it escape so Lambda retries the invocation.</exception>
    /// <exception cref="ArgumentException">The default client cannot be created (no region in the environment).</exception>
    public Task<DurableExecutionInvocationOutput> HandleAsync(
        DurableExecutionInvocationInput input,
        DurableRunOptions? runOptions = null,
        CancellationToken cancellationToken = default)
        => HandleAsync(input, DefaultCheckpointStore.Instance, runOptions, cancellationToken);

    /// <summary>
    /// The stream form of the Lambda entry, for a handler declared as <c>Task&lt;Stream&gt; Handler(Stream input)</c>: reads
    /// the envelope from <paramref name="input"/> with <see cref="WireJson.Envelope"/>, runs the invocation against the
    /// default client (see <see cref="HandleAsync(DurableExecutionInvocationInput, DurableRunOptions?, CancellationToken)"/>)
    /// and returns the output JSON in a new stream positioned at 0.
    /// </summary>
    /// <param name="input">The request stream.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>The response stream.</returns>
    /// <exception cref="InvalidInvocationInputException">The request is not a durable execution envelope.</exception>
    /// <exception cref="CheckpointException">A retryable service error: let it escape so Lambda retries the invocation.</exception>
    public async Task<Stream> HandleAsync(Stream input, CancellationToken cancellationToken = default)
    {
        var output = new MemoryStream();
        await HandleAsync(input, output, DefaultCheckpointStore.Instance, null, cancellationToken).ConfigureAwait(false);
        output.Position = 0;
        return output;
    }

    /// <summary>
    /// The stream form of the Lambda entry with invocation options — the one-line wiring for a runtime client such as
    /// Amazon.Lambda.RuntimeSupport, which hands the handler the request stream and an <c>ILambdaContext</c>:
    /// <code>
    /// (Stream input, ILambdaContext context) =&gt; Definition.HandleAsync(input, Options with { RequestId = context.AwsRequestId, Deadline = DateTimeOffset.UtcNow + context.RemainingTime })
    /// </code>
    /// </summary>
    /// <param name="input">The request stream.</param>
    /// <param name="runOptions">Invocation options: services, request id, deadline, logging.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>The response stream, positioned at 0.</returns>
    /// <exception cref="InvalidInvocationInputException">The request is not a durable execution envelope.</exception>
    /// <exception cref="CheckpointException">A retryable service error: let it escape so Lambda retries the invocation.</exception>
    public async Task<Stream> HandleAsync(Stream input, DurableRunOptions runOptions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runOptions);
        var output = new MemoryStream();
        await HandleAsync(input, output, DefaultCheckpointStore.Instance, runOptions, cancellationToken).ConfigureAwait(false);
        output.Position = 0;
        return output;
    }

    /// <summary>The stream form of the Lambda entry writing to <paramref name="output"/>, against the default client.</summary>
    /// <param name="input">The request stream (the envelope JSON).</param>
    /// <param name="output">Where the output JSON is written.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>A task that completes when the output is written.</returns>
    /// <exception cref="InvalidInvocationInputException">The request is not a durable execution envelope.</exception>
    /// <exception cref="CheckpointException">A retryable service error: let it escape so Lambda retries the invocation.</exception>
    public Task HandleAsync(Stream input, Stream output, CancellationToken cancellationToken = default)
        => HandleAsync(input, output, DefaultCheckpointStore.Instance, null, cancellationToken);

    /// <summary>The stream form of the Lambda entry against an explicit checkpoint port.</summary>
    /// <param name="input">The request stream (the envelope JSON).</param>
    /// <param name="output">Where the output JSON is written.</param>
    /// <param name="store">The checkpoint port.</param>
    /// <param name="runOptions">Invocation options, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>A task that completes when the output is written.</returns>
    /// <exception cref="InvalidInvocationInputException">The request is not a durable execution envelope.</exception>
    /// <exception cref="CheckpointException">A retryable service error: let it escape so Lambda retries the invocation.</exception>
    public Task HandleAsync(Stream input, Stream output, ICheckpointStore store, DurableRunOptions? runOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return LambdaStreamEntry.HandleAsync(AsDefinition(), input, output, store, runOptions ?? DurableRunOptions.Default, cancellationToken);
    }

    internal WorkflowDefinition AsDefinition() => new(Chain, Options, typeof(TIn), typeof(TOut), CodecSpec.JsonOf<TIn>(), CodecSpec.JsonOf<TOut>());
}

/// <summary>The untyped view of a workflow the hosting layer runs.</summary>
internal sealed record WorkflowDefinition(Chain Chain, WorkflowOptions Options, Type InputType, Type OutputType, CodecSpec InputCodec, CodecSpec OutputCodec);
