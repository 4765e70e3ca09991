using System.Text.Encodings.Web;
using System.Text.Json;
using Durable.Fluent.Testing.Engine;
using Microsoft.AspNetCore.Http;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// A request the front refuses, in the service's terms: the HTTP status and the error type of the API model (for example
/// 400 <c>InvalidParameterValueException</c>). Route handlers throw it; <see cref="ErrorHandling"/> writes the AWS error shape.
/// </summary>
internal sealed class ApiError : Exception
{
    public ApiError(int status, string errorType, string message)
        : base(message)
    {
        Status = status;
        ErrorType = errorType;
    }

    public int Status { get; }

    public string ErrorType { get; }

    public string? Allow { get; init; }

    /// <summary>400 InvalidParameterValueException: a parameter (path, query, header or body) is not valid.</summary>
    public static ApiError Invalid(string message) => new(400, "InvalidParameterValueException", message);

    /// <summary>413 RequestTooLargeException.</summary>
    public static ApiError TooLarge(long limit) => new(413, "RequestTooLargeException", $"The request body exceeds {limit} bytes.");

    /// <summary>404 ResourceNotFoundException.</summary>
    public static ApiError NotFound(string message) => new(404, "ResourceNotFoundException", message);

    /// <summary>
    /// The service error that a failure of a request's work is answered with: an <see cref="ApiError"/> as it is, an engine
    /// refusal (<see cref="LocalEngineException"/>) with its status and type, anything else 500 ServiceException. The HTTP
    /// front writes it (<see cref="ErrorHandling"/>); the in-process checkpoint port throws it as the HTTP client would.
    /// </summary>
    /// <param name="error">The failure.</param>
    /// <returns>The error to answer.</returns>
    public static ApiError From(Exception error) => error switch
    {
        ApiError api => api,
        LocalEngineException engine => new(engine.StatusCode, engine.ErrorCode ?? "ServiceException", engine.Message),
        _ => new(500, "ServiceException", "The local durable service failed: " + error.Message),
    };

    /// <summary>Whether <see cref="From"/> answers this failure with a 500 that the service logs as its own failure.</summary>
    /// <param name="error">The failure.</param>
    /// <returns><see langword="true"/> for anything but an <see cref="ApiError"/> or an engine refusal.</returns>
    public static bool IsUnexpected(Exception error) => error is not (ApiError or LocalEngineException);
}

/// <summary>
/// The error body the API model declares: each exception shape has a <c>Type</c> member and a message member spelt as the
/// model spells it (<c>Message</c> for ResourceNotFound, Service, CallbackTimeout and DurableExecutionAlreadyStarted,
/// <c>message</c> for the others). The body also carries <c>__type</c> and the response the <c>x-amzn-ErrorType</c>
/// header, so a rest-json client (the AWS SDK for JavaScript v3 reads the header, then <c>code</c> or <c>__type</c>) types
/// the error either way.
/// </summary>
internal static class AwsErrorBody
{
    public const string ErrorTypeHeader = "x-amzn-ErrorType";

    private static readonly HashSet<string> CapitalMessage = new(StringComparer.Ordinal)
    {
        "ResourceNotFoundException",
        "ServiceException",
        "CallbackTimeoutException",
        "DurableExecutionAlreadyStartedException",
    };

    /// <summary>The member name that carries the message for <paramref name="errorType"/>.</summary>
    public static string MessageKey(string errorType) => CapitalMessage.Contains(errorType) ? "Message" : "message";

    public static byte[] Serialize(string errorType, string message)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps messages readable (quotes, apostrophes); the body is served as application/json only.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("__type", errorType);
            w.WriteString("Type", errorType);
            w.WriteString(MessageKey(errorType), message);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the error (status, <c>x-amzn-ErrorType</c>, JSON body) unless the response has already started.</summary>
    public static Task WriteAsync(HttpContext context, int status, string errorType, string message, string? allow = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        response.StatusCode = status;
        response.Headers[ErrorTypeHeader] = errorType;
        if (allow is not null)
        {
            response.Headers.Allow = allow;
        }

        return Responses.WriteBytesAsync(context, status, Serialize(errorType, message));
    }
}
