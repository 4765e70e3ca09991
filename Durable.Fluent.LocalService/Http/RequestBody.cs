using System.Text.Json;
using System.Text.Json.Serialization;
using Durable.Fluent.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Durable.Fluent.LocalService.Http;

/// <summary>What a route accepts as its request body.</summary>
internal enum BodyKind
{
    /// <summary>A JSON document (<c>application/json</c>, <c>application/x-amz-json-1.x</c>, <c>*/*+json</c>).</summary>
    Json,

    /// <summary>
    /// A blob payload, in the content types real clients send for one: <c>application/octet-stream</c> (the AWS SDK for
    /// JavaScript v3), <c>binary/octet-stream</c>, a JSON type, or none at all (botocore: the AWS CLI and boto3). A browser
    /// that sends a body without a type also sends its <c>Origin</c>, which <see cref="RequestGuards"/> refuses.
    /// </summary>
    Blob,
}

/// <summary>
/// Reads request bodies with the service's limits and content-type rules. A body whose content type a browser may send
/// cross-site without a CORS preflight (<c>text/plain</c>, forms, multipart) — or a JSON body with no content type — is
/// refused with 415 UnsupportedMediaTypeException before anything is read or changed.
/// </summary>
internal static class RequestBody
{
    private const long MaxDrainBytes = 64L * 1024 * 1024;

    /// <summary>Reads the whole body (at most <paramref name="limit"/> bytes).</summary>
    /// <param name="context">The request.</param>
    /// <param name="operation">The operation name, for error messages.</param>
    /// <param name="kind">The content types accepted.</param>
    /// <param name="limit">The largest body accepted.</param>
    /// <param name="tooLarge">The error for a larger body; 413 RequestTooLargeException by default.</param>
    /// <returns>The body bytes (empty when there is no body).</returns>
    public static async Task<byte[]> ReadAsync(HttpContext context, string operation, BodyKind kind, long limit, Func<ApiError>? tooLarge = null)
    {
        var request = context.Request;
        var hasBody = HasBody(context);
        CheckContentType(request, operation, kind, hasBody);
        if (!hasBody)
        {
            return [];
        }

        if (request.ContentLength > limit)
        {
            await DrainAsync(request.Body, context.RequestAborted).ConfigureAwait(false);
            throw tooLarge?.Invoke() ?? ApiError.TooLarge(limit);
        }

        if (request.ContentLength is { } length and <= 64 * 1024)
        {
            // The usual case (a small body with its Content-Length): read straight into a buffer of that size. Larger ones
            // grow with what arrives, so a client cannot make the service reserve megabytes by declaring them.
            var exact = new byte[length];
            var filled = 0;
            int got;
            while (filled < exact.Length && (got = await request.Body.ReadAsync(exact.AsMemory(filled), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                filled += got;
            }

            return filled == exact.Length ? exact : exact[..filled];
        }

        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var buffer = new MemoryStream();
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    await DrainAsync(request.Body, context.RequestAborted).ConfigureAwait(false);
                    throw tooLarge?.Invoke() ?? ApiError.TooLarge(limit);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Refuses a request whose content type is not acceptable for a route that takes no body.</summary>
    public static void CheckNoBodyContentType(HttpContext context, string operation)
        => CheckContentType(context.Request, operation, kind: null, hasBody: false);

    /// <summary>Deserializes a JSON body; malformed JSON or <c>null</c> is 400 InvalidParameterValueException.</summary>
    public static T ParseJson<T>(byte[] body, string operation)
        where T : class
    {
        if (body.Length == 0)
        {
            throw ApiError.Invalid($"{operation}: the request body is empty; a JSON object is required.");
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(body, WireJson.Rest);
        }
        catch (JsonException ex)
        {
            throw ApiError.Invalid($"{operation}: the request body is not valid JSON for this operation: {ex.Message}");
        }

        return value ?? throw ApiError.Invalid($"{operation}: the request body must be a JSON object, not null.");
    }

    /// <summary>
    /// Reads an optional ErrorObject sent as the HTTP payload (StopDurableExecution, SendDurableExecutionCallbackFailure):
    /// the body is the bare object. An empty body or <c>{}</c> means none. A body wrapped as <c>{"Error": {...}}</c> is
    /// refused, since reading it as an ErrorObject would silently drop every field.
    /// </summary>
    public static ErrorObject? ParseErrorPayload(byte[] body, string operation)
    {
        if (body.Length == 0)
        {
            return null;
        }

        var error = ParseJson<ErrorPayload>(body, operation);
        if (error.Error is not null && error is { ErrorType: null, ErrorMessage: null, ErrorData: null, StackTrace: null })
        {
            throw ApiError.Invalid(
                $"{operation}: the body is the bare ErrorObject {{\"ErrorType\", \"ErrorMessage\", \"ErrorData\", \"StackTrace\"}}; do not wrap it in {{\"Error\": ...}}.");
        }

        return error is { ErrorType: null, ErrorMessage: null, ErrorData: null, StackTrace: null }
            ? null
            : new ErrorObject { ErrorType = error.ErrorType, ErrorMessage = error.ErrorMessage, ErrorData = error.ErrorData, StackTrace = error.StackTrace };
    }

    private static bool HasBody(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is { } length)
        {
            return length > 0;
        }

        return context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
    }

    private static void CheckContentType(HttpRequest request, string operation, BodyKind? kind, bool hasBody)
    {
        var header = request.ContentType;
        if (string.IsNullOrWhiteSpace(header))
        {
            if (hasBody && kind != BodyKind.Blob)
            {
                throw Unsupported(operation, "(none)", kind);
            }

            return;
        }

        if (!MediaTypeHeaderValue.TryParse(header, out var parsed) || parsed.MediaType.Value is not { } mediaType)
        {
            throw Unsupported(operation, header, kind);
        }

        if (IsCorsSimple(mediaType))
        {
            throw Unsupported(operation, mediaType, kind);
        }

        if (kind is null)
        {
            return; // no body is read; any non-simple type is harmless
        }

        if (IsJson(parsed) || (kind == BodyKind.Blob && (mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("binary/octet-stream", StringComparison.OrdinalIgnoreCase))))
        {
            return;
        }

        throw Unsupported(operation, mediaType, kind);
    }

    /// <summary>The three content types a browser sends cross-site without a CORS preflight.</summary>
    private static bool IsCorsSimple(string mediaType)
        => mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    private static bool IsJson(MediaTypeHeaderValue type)
    {
        var mediaType = type.MediaType.Value!;
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-amz-json-1.0", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-amz-json-1.1", StringComparison.OrdinalIgnoreCase)
            || (type.Suffix.HasValue && type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
    }

    private static ApiError Unsupported(string operation, string contentType, BodyKind? kind)
    {
        var accepted = kind == BodyKind.Blob
            ? "application/octet-stream, application/json or no Content-Type"
            : "application/json (or application/x-amz-json-1.1, or a +json type)";
        return new ApiError(
            415,
            "UnsupportedMediaTypeException",
            $"{operation}: Content-Type {contentType} is not accepted; send {accepted}. Text, form and multipart bodies are refused so a web page cannot reach the service without a CORS preflight.");
    }

    /// <summary>
    /// Reads and discards the rest of an oversized body (up to 64 MiB) so the client, still sending, gets the error response
    /// instead of a reset connection; beyond that the connection is simply closed.
    /// </summary>
    private static async Task DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        long drained = 0;
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while (drained < MaxDrainBytes && (read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                drained += read;
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            // The client gave up or was too slow; the error is answered (or the connection closed) either way.
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>The ErrorObject members, plus <c>Error</c> to recognise a wrapped body.</summary>
    private sealed record ErrorPayload
    {
        [JsonPropertyName("ErrorType")]
        public string? ErrorType { get; init; }

        [JsonPropertyName("ErrorMessage")]
        public string? ErrorMessage { get; init; }

        [JsonPropertyName("ErrorData")]
        public string? ErrorData { get; init; }

        [JsonPropertyName("StackTrace")]
        public IReadOnlyList<string>? StackTrace { get; init; }

        [JsonPropertyName("Error")]
        public JsonElement? Error { get; init; }
    }
}
