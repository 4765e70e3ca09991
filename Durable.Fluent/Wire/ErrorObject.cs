using System.Text.Json.Serialization;

namespace Durable.Fluent.Wire;

/// <summary>An error as the durable execution API records it.</summary>
public sealed record ErrorObject
{
    /// <summary>The error message.</summary>
    [JsonPropertyName("ErrorMessage")]
    public string? ErrorMessage { get; init; }

    /// <summary>The error type: for .NET exceptions, the full type name (for example <c>System.InvalidOperationException</c>).</summary>
    [JsonPropertyName("ErrorType")]
    public string? ErrorType { get; init; }

    /// <summary>Optional machine-readable data attached to the error.</summary>
    [JsonPropertyName("ErrorData")]
    public string? ErrorData { get; init; }

    /// <summary>Optional stack trace, one frame per element.</summary>
    [JsonPropertyName("StackTrace")]
    public IReadOnlyList<string>? StackTrace { get; init; }
}
