using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Durable.Fluent.Checkpointing;

namespace Durable.Fluent.Hosting;

/// <summary>
/// A Lambda custom runtime for a durable function, with no runtime package: the Lambda Runtime API loop
/// (<c>GET /2018-06-01/runtime/invocation/next</c>, then <c>POST .../invocation/{id}/response</c> or <c>.../error</c>)
/// around <see cref="Workflow{TIn, TOut}.HandleAsync(Stream, Stream, ICheckpointStore, DurableRunOptions?, CancellationToken)"/>.
/// It is what the <c>bootstrap</c> executable of a <c>provided.al2023</c> function (Native AOT) runs:
/// <code>await LambdaRuntime.RunAsync(OrderWorkflow.Definition);</code>
/// Each invocation's request id and deadline reach step bodies as <c>ctx.Invocation</c>, and the trace id is exported
/// as <c>_X_AMZN_TRACE_ID</c>, as Lambda's own runtimes do. (With Amazon.Lambda.RuntimeSupport instead, see docs/deploy.md.)
/// </summary>
public static class LambdaRuntime
{
    /// <summary>The environment variable Lambda sets to the Runtime API's <c>host:port</c>.</summary>
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>
    /// Serves invocations until <paramref name="cancellationToken"/> is cancelled (on Lambda: until the process is frozen or
    /// ended). Checkpoints go through the default <see cref="Checkpointing.Http.LambdaDurableExecutionClient"/>.
    /// </summary>
    /// <typeparam name="TIn">The workflow input.</typeparam>
    /// <typeparam name="TOut">The workflow result.</typeparam>
    /// <param name="workflow">The workflow this function runs.</param>
    /// <param name="options">Invocation options (services, logging, plugins); the request id and deadline are set per invocation.</param>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>A task that ends when the loop is cancelled.</returns>
    /// <exception cref="InvalidOperationException"><c>AWS_LAMBDA_RUNTIME_API</c> is not set (the process is not running on Lambda).</exception>
    public static async Task RunAsync<TIn, TOut>(Workflow<TIn, TOut> workflow, DurableRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        using var api = RuntimeApi.FromEnvironment();
        while (!cancellationToken.IsCancellationRequested)
        {
            await ServeOneAsync(workflow, api, DefaultCheckpointStore.Instance, options ?? DurableRunOptions.Default, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Serves exactly one invocation and returns (a benchmark or a smoke test of the function binary uses it).</summary>
    /// <typeparam name="TIn">The workflow input.</typeparam>
    /// <typeparam name="TOut">The workflow result.</typeparam>
    /// <param name="workflow">The workflow this function runs.</param>
    /// <param name="options">Invocation options; the request id and deadline are set from the invocation.</param>
    /// <param name="cancellationToken">Cancels the wait for the invocation and its run.</param>
    /// <returns>The request id of the invocation served.</returns>
    /// <exception cref="InvalidOperationException"><c>AWS_LAMBDA_RUNTIME_API</c> is not set.</exception>
    public static async Task<string> RunOnceAsync<TIn, TOut>(Workflow<TIn, TOut> workflow, DurableRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        using var api = RuntimeApi.FromEnvironment();
        return await ServeOneAsync(workflow, api, DefaultCheckpointStore.Instance, options ?? DurableRunOptions.Default, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A builder does not run: serve <c>builder.Build()</c>. Reported as the compile error DF0003 (call <c>Build()</c>).</summary>
    /// <typeparam name="TIn">The workflow input.</typeparam>
    /// <typeparam name="TOut">The workflow result.</typeparam>
    /// <param name="builder">A builder (not accepted).</param>
    /// <param name="options">Invocation options.</param>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task RunAsync<TIn, TOut>(WorkflowBuilder<TIn, TOut> builder, DurableRunOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder does not run: serve <c>builder.Build()</c>. Reported as the compile error DF0003 (call <c>Build()</c>).</summary>
    /// <typeparam name="TIn">The workflow input.</typeparam>
    /// <typeparam name="TOut">The workflow result.</typeparam>
    /// <param name="builder">A builder (not accepted).</param>
    /// <param name="options">Invocation options.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<string> RunOnceAsync<TIn, TOut>(WorkflowBuilder<TIn, TOut> builder, DurableRunOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    internal static async Task<string> ServeOneAsync<TIn, TOut>(Workflow<TIn, TOut> workflow, RuntimeApi api, ICheckpointStore store, DurableRunOptions options, CancellationToken cancellationToken)
    {
        var next = await api.NextAsync(cancellationToken).ConfigureAwait(false);
        if (next.TraceId is { } trace)
        {
            Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", trace);
        }

        using var output = new MemoryStream();
        try
        {
            using var input = new MemoryStream(next.Body, writable: false);
            await workflow.HandleAsync(input, output, store, options with { RequestId = next.RequestId, Deadline = next.Deadline }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Retryable service errors and envelopes that are not durable: report them as the invocation's error so that
            // Lambda (and the durable execution service) retry or record it; the process stays up for the next one.
            await api.ErrorAsync(next.RequestId, ex, cancellationToken).ConfigureAwait(false);
            return next.RequestId;
        }

        await api.RespondAsync(next.RequestId, output.ToArray(), cancellationToken).ConfigureAwait(false);
        return next.RequestId;
    }

    /// <summary>One invocation as the Runtime API hands it out.</summary>
    internal sealed record Invocation(string RequestId, DateTimeOffset? Deadline, string? TraceId, byte[] Body);

    /// <summary>The Runtime API over HTTP (version 2018-06-01).</summary>
    internal sealed class RuntimeApi : IDisposable
    {
        private readonly HttpClient _http;

        public RuntimeApi(HttpMessageHandler handler, string hostAndPort)
        {
            _http = new HttpClient(handler)
            {
                BaseAddress = new Uri($"http://{hostAndPort}/2018-06-01/"),
                Timeout = Timeout.InfiniteTimeSpan, // "next" blocks until an invocation arrives
            };
        }

        public static RuntimeApi FromEnvironment()
        {
            var api = Environment.GetEnvironmentVariable(RuntimeApiVariable);
            if (string.IsNullOrEmpty(api))
            {
                throw new InvalidOperationException(
                    $"{RuntimeApiVariable} is not set: LambdaRuntime serves invocations of a Lambda custom runtime (the function's bootstrap). "
                    + "Run the workflow locally with DurableTestRunner or the local durable service instead.");
            }

            return new RuntimeApi(new SocketsHttpHandler { UseProxy = false }, api);
        }

        public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
        {
            using var response = await _http.GetAsync("runtime/invocation/next", cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
                ?? throw new InvalidOperationException("The Runtime API returned an invocation without Lambda-Runtime-Aws-Request-Id.");
            DateTimeOffset? deadline = long.TryParse(Header(response, "Lambda-Runtime-Deadline-Ms"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : null;
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new Invocation(requestId, deadline, Header(response, "Lambda-Runtime-Trace-Id"), body);
        }

        public async Task RespondAsync(string requestId, byte[] body, CancellationToken cancellationToken)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await _http.PostAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/response", content, cancellationToken).ConfigureAwait(false);
            EnsureAccepted(response, "response");
        }

        public async Task ErrorAsync(string requestId, Exception error, CancellationToken cancellationToken)
        {
            var type = error.GetType().FullName ?? error.GetType().Name;
            using var content = new ByteArrayContent(ErrorBody(type, error.Message));
            content.Headers.ContentType = new("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"runtime/invocation/{Uri.EscapeDataString(requestId)}/error") { Content = content };
            request.Headers.TryAddWithoutValidation("Lambda-Runtime-Function-Error-Type", "Unhandled");
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            EnsureAccepted(response, "error");
        }

        public void Dispose() => _http.Dispose();

        // {"errorMessage": "...", "errorType": "..."}: the Runtime API's error shape, written without reflection.
        internal static byte[] ErrorBody(string type, string message)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("errorMessage", message);
                writer.WriteString("errorType", type);
                writer.WriteEndObject();
            }

            return buffer.ToArray();
        }

        private static string? Header(HttpResponseMessage response, string name)
            => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

        private static void EnsureAccepted(HttpResponseMessage response, string what)
        {
            if (response.StatusCode != HttpStatusCode.Accepted && !response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"The Runtime API refused the invocation {what}: {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
            }
        }
    }
}
