namespace Durable.Fluent.LocalService;

/// <summary>
/// A durable function the local service reaches over HTTP, written in any language: the service invokes it the way Lambda
/// invokes a function (<c>POST</c> the invocation envelope JSON to <see cref="Url"/>, read the output envelope JSON back),
/// the shape a Lambda container's runtime interface emulator serves at <c>/2015-03-31/functions/function/invocations</c>.
/// The function checkpoints through the service's REST API (point its SDK's Lambda endpoint, e.g.
/// <c>AWS_ENDPOINT_URL_LAMBDA</c>, at <see cref="LocalDurableService.Endpoint"/>).
/// </summary>
/// <param name="Name">The function name executions are started with (1–64 characters of <c>[a-zA-Z0-9-_]</c>).</param>
/// <param name="Url">The absolute <c>http</c> or <c>https</c> URL to POST each invocation to.</param>
/// <param name="Timeout">How long one invocation may take before it is recorded as timed out and retried; <see langword="null"/> uses <see cref="LocalDurableServiceOptions.FunctionTimeout"/>.</param>
public sealed record FunctionUrl(string Name, Uri Url, TimeSpan? Timeout = null)
{
    /// <summary>
    /// Parses <c>name=url</c>, the form of a <c>--function</c> command-line option, e.g.
    /// <c>orders=http://127.0.0.1:9000/2015-03-31/functions/function/invocations</c>.
    /// </summary>
    /// <param name="spec">The text.</param>
    /// <returns>The function URL.</returns>
    /// <exception cref="FormatException">No <c>=</c>, an invalid name, or a URL that is not absolute <c>http</c>/<c>https</c>.</exception>
    public static FunctionUrl Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var eq = spec.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new FormatException($"Invalid function '{spec}': expected name=url, e.g. orders=http://127.0.0.1:9000/2015-03-31/functions/function/invocations.");
        }

        var name = spec[..eq].Trim();
        var url = spec[(eq + 1)..].Trim();
        if (!LocalDurableService.IsValidName(name))
        {
            throw new FormatException($"Invalid function name '{name}' in '{spec}': 1–64 characters of [a-zA-Z0-9-_].");
        }

        if (!TryCreateUrl(url, out var uri))
        {
            throw new FormatException($"Invalid function URL '{url}' in '{spec}': an absolute http:// or https:// URL is expected, e.g. http://127.0.0.1:9000/2015-03-31/functions/function/invocations.");
        }

        return new FunctionUrl(name, uri);
    }

    /// <summary>Whether <paramref name="text"/> is an absolute http or https URL.</summary>
    internal static bool TryCreateUrl(string? text, out Uri uri)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var parsed) && IsHttp(parsed))
        {
            uri = parsed;
            return true;
        }

        uri = null!;
        return false;
    }

    /// <summary>Whether the URL is absolute and http or https.</summary>
    internal static bool IsHttp(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
