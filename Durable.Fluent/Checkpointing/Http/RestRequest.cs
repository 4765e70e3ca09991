using System.Text;

namespace Durable.Fluent.Checkpointing.Http;

/// <summary>
/// One REST call, described independently of transport and signing: the path template with <c>{Label}</c>
/// placeholders, the raw (unescaped) label values, the raw query parameters and the body.
/// </summary>
internal sealed record RestRequest
{
    public required HttpMethod Method { get; init; }

    /// <summary>For example <c>/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint</c>.</summary>
    public required string PathTemplate { get; init; }

    /// <summary>Label (with braces) to raw value.</summary>
    public IReadOnlyDictionary<string, string> PathParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Raw query parameters, in order; a name may repeat (list-valued parameters).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>The body, or <see langword="null"/> for none.</summary>
    public byte[]? Body { get; init; }

    /// <summary>The body's content type, or <see langword="null"/> when there is no body.</summary>
    public string? ContentType { get; init; }

    /// <summary>Extra request headers (for example Lambda Invoke's <c>X-Amz-Invocation-Type</c>); not signed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>A short name for error messages, for example <c>CheckpointDurableExecution</c>.</summary>
    public required string OperationName { get; init; }

    /// <summary>
    /// The path with each label replaced by its value escaped with <see cref="Uri.EscapeDataString(string)"/>
    /// (so <c>:</c> and <c>/</c> inside an ARN become <c>%3A</c> and <c>%2F</c>), and the query string.
    /// </summary>
    public string BuildPathAndQuery()
    {
        var path = PathTemplate;
        foreach (var (label, value) in PathParameters)
        {
            path = path.Replace(label, Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        if (Query.Count == 0)
        {
            return path;
        }

        var sb = new StringBuilder(path).Append('?');
        for (var i = 0; i < Query.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('&');
            }

            sb.Append(Uri.EscapeDataString(Query[i].Key)).Append('=').Append(Uri.EscapeDataString(Query[i].Value));
        }

        return sb.ToString();
    }

    /// <summary>The absolute request URI: the endpoint (including any base path) followed by <see cref="BuildPathAndQuery"/>.</summary>
    public Uri BuildUri(Uri endpoint) => BuildUri(UriPrefix(endpoint));

    /// <summary>The absolute request URI from an endpoint prefix computed once with <see cref="UriPrefix"/>.</summary>
    public Uri BuildUri(string uriPrefix) => new(uriPrefix + BuildPathAndQuery(), UriKind.Absolute);

    /// <summary>What every request URI starts with: the endpoint's scheme and authority and its base path without the final <c>/</c>.</summary>
    public static string UriPrefix(Uri endpoint) => endpoint.GetLeftPart(UriPartial.Authority) + endpoint.AbsolutePath.TrimEnd('/');
}
