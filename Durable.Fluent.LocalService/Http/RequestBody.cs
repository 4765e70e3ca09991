using System.Text.Json;
using System.Text.Json.Serialization;
using Durable.Fluent.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Durable.Fluent.LocalService.Http;

/// <summary>What a route accepts as its request body.</summary>
internal enum BodyKind
{
    /// <summary>A JSON document (<c>application/json</c>, <c>application/x-amz-json-1.x</c>, <c>*/*+json</c>).</summary>
    Json,

    /// <summary>A blob payload: JSON content types or <c>application/octet-stream</c> (what the AWS SDKs send for a blob).</summary>
    Blob,
}

/// <summary>
/// Reads request bodies with the service's limits.
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
        _ = operation;
        _ = kind;
        if (!HasBody(context))
        {
            return [];
        }

        var chunk = new byte[81920];
        if (request.ContentLength > limit)
        {
            await DrainAsync(request.Body, chunk, context.RequestAborted).ConfigureAwait(false);
            throw tooLarge?.Invoke() ?? ApiError.TooLarge(limit);
        }

        using var buffer = new MemoryStream();
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                await DrainAsync(request.Body, chunk, context.RequestAborted).ConfigureAwait(false);
                throw tooLarge?.Invoke() ?? ApiError.TooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

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

    /// <summary>
    /// Reads and discards the rest of an oversized body (up to 64 MiB) so the client, still sending, gets the error response
    /// instead of a reset connection; beyond that the connection is simply closed.
    /// </summary>
    private static async Task DrainAsync(Stream body, byte[] chunk, CancellationToken cancellationToken)
    {
        long drained = 0;
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
