using System.Net;
using System.Text;
using System.Text.Json;

namespace Durable.Fluent.Checkpointing.Http;

/// <summary>
/// Reads the error type and message of a failed REST response. Accepted shapes: the header <c>x-amzn-ErrorType</c>
/// (which wins, as in the AWS SDKs), and the bodies <c>{"Type":"X","message":"..."}</c> (the emulator),
/// <c>{"__type":"X","Message":"..."}</c> (AWS JSON) and <c>{"code":"X"}</c>. <c>__type</c> values such as
/// <c>com.amazon.coral#X</c> and header values such as <c>X:http://...</c> are reduced to <c>X</c>.
/// </summary>
internal static class ServiceErrorParser
{
    private const string ErrorTypeHeader = "x-amzn-ErrorType";

    /// <summary>Builds the <see cref="CheckpointException"/> for a non-success response.</summary>
    public static CheckpointException ToException(string operationName, HttpStatusCode status, string? headerErrorType, byte[] body)
    {
        var (code, message) = Parse(headerErrorType, body);
        var statusCode = (int)status;
        var text = message is { Length: > 0 }
            ? message
            : $"{operationName} failed with HTTP {statusCode}{(code is null ? string.Empty : " (" + code + ")")}.";
        return new CheckpointException(text, code, statusCode);
    }

    /// <summary>Reads the <c>x-amzn-ErrorType</c> header of a response, if present.</summary>
    public static string? ReadErrorTypeHeader(HttpResponseMessage response)
        => response.Headers.TryGetValues(ErrorTypeHeader, out var values) ? values.FirstOrDefault() : null;

    /// <summary>Extracts the error code and message.</summary>
    public static (string? Code, string? Message) Parse(string? headerErrorType, byte[] body)
    {
        string? code = Clean(headerErrorType);
        string? message = null;
        if (body.Length > 0)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    code ??= Clean(First(doc.RootElement, "__type", "Type", "code", "Code"));
                    message = First(doc.RootElement, "message", "Message", "errorMessage", "ErrorMessage");
                }
            }
            catch (JsonException)
            {
                // Not JSON (for example an HTML page from a proxy): keep a short excerpt as the message.
                message = Excerpt(body);
            }
        }

        return (code, message);
    }

    private static string? First(JsonElement e, params string[] names)
    {
        foreach (var name in names)
        {
            if (e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s)
            {
                return s;
            }
        }

        return null;
    }

    private static string? Clean(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        code = code.Trim();
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        if (hash >= 0 && hash < code.Length - 1)
        {
            code = code[(hash + 1)..];
        }

        return code;
    }

    private static string Excerpt(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512)).Trim();
        return text.Length == 0 ? string.Empty : text;
    }
}
