using System.Text.Json;
using Durable.Fluent.Wire;
using Microsoft.AspNetCore.Http;

namespace Durable.Fluent.LocalService.Http;

/// <summary>Writes success responses: the wire JSON of <see cref="WireJson.Rest"/> (epoch-seconds timestamps, PascalCase).</summary>
internal static class Responses
{
    public const string JsonContentType = "application/json";

    public static Task JsonAsync<T>(HttpContext context, int status, T value)
        => WriteBytesAsync(context, status, JsonSerializer.SerializeToUtf8Bytes(value, WireJson.Rest));

    /// <summary>An empty body (callbacks answer 200 with nothing).</summary>
    public static Task EmptyAsync(HttpContext context, int status = 200) => WriteBytesAsync(context, status, []);

    public static async Task WriteBytesAsync(HttpContext context, int status, byte[] body, string contentType = JsonContentType)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (body.Length > 0)
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
