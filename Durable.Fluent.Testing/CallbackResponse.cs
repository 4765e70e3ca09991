using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Durable.Fluent.Serialization;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing;

/// <summary>What a scripted outside system does to a callback: succeed, fail or heartbeat, after a delay on the virtual clock.</summary>
public sealed record CallbackResponse
{
    private CallbackResponse(CallbackResponseKind kind, string? payload, ErrorObject? error)
    {
        Kind = kind;
        Payload = payload;
        Error = error;
    }

    /// <summary>What the response does.</summary>
    public CallbackResponseKind Kind { get; }

    /// <summary>The success body (raw text, usually JSON), or null for an empty body.</summary>
    public string? Payload { get; }

    /// <summary>The failure error.</summary>
    public ErrorObject? Error { get; }

    /// <summary>The delay after the previous response of the same batch (or after the invocation that created the callback).</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>Completes the callback with <paramref name="payload"/> as the raw body (for JSON of a string, include the quotes).</summary>
    /// <param name="payload">The body, or null for none.</param>
    /// <returns>The response.</returns>
    public static CallbackResponse Succeed(string? payload = null) => new(CallbackResponseKind.Succeed, payload, null);

    /// <summary>Completes the callback with the JSON of <paramref name="value"/> (reflection-based JSON).</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="options">Serializer options; <see cref="DurableJson.DefaultOptions"/> when omitted.</param>
    /// <returns>The response.</returns>
    [RequiresUnreferencedCode("Reflection-based JSON; under trimming or Native AOT call SucceedWith(value, AppJson.Default.MyType) with source-generated metadata.")]
    [RequiresDynamicCode("Reflection-based JSON; under trimming or Native AOT call SucceedWith(value, AppJson.Default.MyType) with source-generated metadata.")]
    public static CallbackResponse SucceedWith<T>(T value, JsonSerializerOptions? options = null)
        => SucceedWith(value, DurableJson.TypeInfo<T>(options ?? DurableJson.DefaultOptions, "a callback response"));

    /// <summary>Completes the callback with the JSON of <paramref name="value"/> written with source-generated metadata.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">The value's metadata, e.g. <c>AppJson.Default.Approval</c>.</param>
    /// <returns>The response.</returns>
    public static CallbackResponse SucceedWith<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return Succeed(JsonSerializer.Serialize(value, typeInfo));
    }

    /// <summary>Fails the callback with an error type and message (as SendDurableExecutionCallbackFailure).</summary>
    /// <param name="errorType">The error type, e.g. <c>RejectedError</c>.</param>
    /// <param name="errorMessage">The message, e.g. <c>not approved</c>.</param>
    /// <returns>The response.</returns>
    public static CallbackResponse Fail(string? errorType, string? errorMessage)
        => Fail(new ErrorObject { ErrorType = errorType, ErrorMessage = errorMessage });

    /// <summary>Fails the callback with an error object.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The response.</returns>
    public static CallbackResponse Fail(ErrorObject error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(CallbackResponseKind.Fail, null, error);
    }

    /// <summary>Sends a heartbeat: restarts the heartbeat timer; no event, no invocation; the callback stays open.</summary>
    /// <returns>The response.</returns>
    public static CallbackResponse Heartbeat() => new(CallbackResponseKind.Heartbeat, null, null);

    /// <summary>The same response, sent <paramref name="delay"/> after the previous one of its batch (virtual time).</summary>
    /// <param name="delay">The delay (≥ 0).</param>
    /// <returns>The response.</returns>
    public CallbackResponse After(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return this with { Delay = delay };
    }
}

/// <summary>What a <see cref="CallbackResponse"/> does.</summary>
public enum CallbackResponseKind
{
    /// <summary>SendDurableExecutionCallbackSuccess.</summary>
    Succeed,

    /// <summary>SendDurableExecutionCallbackFailure.</summary>
    Fail,

    /// <summary>SendDurableExecutionCallbackHeartbeat.</summary>
    Heartbeat,
}

/// <summary>
/// A scripted answer for callbacks whose name matches: <see cref="CallbackName"/> equals the callback's name (or the name of the
/// wait-for-callback that contains it), or is <c>"*"</c> for any callback, or <see cref="NameMatches"/> accepts it. Each responder is used once.
/// </summary>
/// <param name="CallbackName">The name to match, or <c>"*"</c>.</param>
/// <param name="Response">The response.</param>
public sealed record CallbackResponder(string CallbackName, CallbackResponse Response)
{
    /// <summary>Optional: a test of the name used instead of <see cref="CallbackName"/> (e.g. <c>new Regex("^approval_").IsMatch</c>).</summary>
    public Func<string?, bool>? NameMatches { get; init; }

    internal bool Matches(string? name)
        => NameMatches is not null
            ? NameMatches(name)
            : CallbackName == "*" || string.Equals(CallbackName, name, StringComparison.Ordinal);
}
