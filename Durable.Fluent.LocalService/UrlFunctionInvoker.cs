using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Durable.Fluent.Wire;

namespace Durable.Fluent.LocalService;

/// <summary>
/// Invokes a durable function registered by URL (<see cref="LocalDurableService.RegisterUrl"/>): POSTs the invocation
/// envelope as JSON and reads the output envelope back, as Lambda's Invoke does against a runtime interface emulator.
/// Anything but a well-formed output — no answer in time, a connection failure, a non-2xx status, a function error, a body
/// that is not an output envelope — is a <see cref="FunctionInvocationException"/>: the service records the invocation as
/// failed and retries it.
/// </summary>
internal sealed class UrlFunctionInvoker(FunctionUrl function, TimeSpan timeout, HttpClient http, TimeProvider time)
{
    /// <summary>Lambda's limit for a synchronous invocation's response (6 MB); a larger answer is refused.</summary>
    internal const int MaxResponseBytes = 6 * 1024 * 1024;

    /// <summary>The header that carries the service's request id for the invocation (the Lambda Runtime API's name for it).</summary>
    internal const string RequestIdHeader = "Lambda-Runtime-Aws-Request-Id";

    /// <summary>The header that carries the invocation's deadline in Unix epoch milliseconds (the Lambda Runtime API's name for it).</summary>
    internal const string DeadlineHeader = "Lambda-Runtime-Deadline-Ms";

    /// <summary>The header that carries the execution's tenant id (Invoke's name for it).</summary>
    internal const string TenantIdHeader = "X-Amz-Tenant-Id";

    /// <summary>The header that carries the execution's X-Ray trace header.</summary>
    internal const string TraceIdHeader = "X-Amzn-Trace-Id";

    private const string FunctionErrorHeader = "X-Amz-Function-Error";

    public FunctionUrl Function => function;

    public TimeSpan Timeout => timeout;

    /// <summary>POSTs the envelope; the execution's tenant id and trace header go along as Invoke's <c>X-Amz-Tenant-Id</c> and <c>X-Amzn-Trace-Id</c>.</summary>
    public async Task<DurableExecutionInvocationOutput> InvokeAsync(DurableExecutionInvocationInput input, string requestId, (string? TenantId, string? TraceHeader) startedWith, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(input, WireJson.Info<DurableExecutionInvocationInput>(WireJson.Envelope));
        using var request = new HttpRequestMessage(HttpMethod.Post, function.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "RequestResponse");
        request.Headers.TryAddWithoutValidation(RequestIdHeader, requestId);
        request.Headers.TryAddWithoutValidation(DeadlineHeader, (time.GetUtcNow() + timeout).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        if (startedWith.TenantId is { } tenant)
        {
            request.Headers.TryAddWithoutValidation(TenantIdHeader, tenant);
        }

        if (startedWith.TraceHeader is { } trace)
        {
            request.Headers.TryAddWithoutValidation(TraceIdHeader, trace);
        }

        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var content = await ReadLimitedAsync(response.Content, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Crash("Runtime.ExitError", $"answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {Snippet(content)}");
            }

            return Parse(content, response.Headers.TryGetValues(FunctionErrorHeader, out var values) ? values.FirstOrDefault() : null);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Crash("Sandbox.Timedout", $"did not answer within {Seconds(timeout)} (its timeout; set it with RegisterUrl or LocalDurableServiceOptions.FunctionTimeout). Its checkpoint token is revoked");
        }
        catch (HttpRequestException ex)
        {
            throw Crash("Runtime.ExitError", $"could not be reached ({ex.Message}); is its host running and listening there?", ex);
        }
    }

    private DurableExecutionInvocationOutput Parse(byte[] content, string? functionError)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(content);
        }
        catch (JsonException ex)
        {
            throw Crash("Runtime.ExitError", $"answered a body that is not JSON ({ex.Message}): {Snippet(content)}. A durable function answers its output envelope {{\"Status\":\"SUCCEEDED|FAILED|PENDING\",...}}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            var isObject = root.ValueKind == JsonValueKind.Object;
            if (functionError is not null || (isObject && !root.TryGetProperty("Status", out _) && (root.TryGetProperty("errorType", out _) || root.TryGetProperty("errorMessage", out _))))
            {
                // A function error (the handler threw): Lambda answers 200 with X-Amz-Function-Error and {errorType, errorMessage}.
                var type = isObject && root.TryGetProperty("errorType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                var message = isObject && root.TryGetProperty("errorMessage", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                throw new FunctionInvocationException(
                    string.IsNullOrEmpty(type) ? "Runtime.Unhandled" : type,
                    $"Function '{function.Name}' at {function.Url} failed: {message ?? Snippet(content)}");
            }

            if (!isObject || !root.TryGetProperty("Status", out var status) || status.ValueKind != JsonValueKind.String)
            {
                throw Crash("Runtime.ExitError", $"answered JSON that is not an output envelope (no \"Status\" string): {Snippet(content)}. A durable function answers {{\"Status\":\"SUCCEEDED|FAILED|PENDING\",...}}");
            }

            try
            {
                return root.Deserialize(WireJson.Info<DurableExecutionInvocationOutput>(WireJson.Envelope))!; // an object: never null
            }
            catch (JsonException ex)
            {
                throw Crash("Runtime.ExitError", $"answered JSON that is not an output envelope ({ex.Message}): {Snippet(content)}. A durable function answers {{\"Status\":\"SUCCEEDED|FAILED|PENDING\",...}}");
            }
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                {
                    throw new FunctionInvocationException(
                        "Function.ResponseSizeTooLarge",
                        $"The function's response exceeds Lambda's limit of {MaxResponseBytes:N0} bytes; the SDK checkpoints a larger result and answers an empty one.");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private FunctionInvocationException Crash(string errorType, string what, Exception? inner = null)
        => new(errorType, $"Function '{function.Name}' at {function.Url} {what}.", inner);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string Snippet(byte[] content)
    {
        if (content.Length == 0)
        {
            return "(empty body)";
        }

        var text = Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 300));
        return content.Length > 300 ? text + "…" : text;
    }
}

/// <summary>A function invocation that did not produce an output envelope; <see cref="ErrorType"/> goes into InvocationCompleted.</summary>
internal sealed class FunctionInvocationException(string errorType, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>For example <c>Runtime.ExitError</c>, <c>Sandbox.Timedout</c>, or the function's own error type.</summary>
    public string ErrorType { get; } = errorType;
}
