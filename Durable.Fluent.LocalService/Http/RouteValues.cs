using Microsoft.AspNetCore.Http;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// Path parameters that may contain <c>/</c> (execution ARNs, callback ids). Clients escape it as <c>%2F</c> (the AWS SDKs
/// escape every path label); <see cref="Normalize"/> also accepts it unescaped, as typed into curl, by escaping the
/// parameter before routing, so each route is an ordinary one-segment template.
/// </summary>
internal static class RouteValues
{
    private static readonly (string Prefix, string[] Actions)[] SlashedParameters =
    [
        ("/2025-12-01/durable-executions/", ["checkpoint", "state", "history", "stop"]),
        ("/2025-12-01/durable-execution-callbacks/", ["succeed", "fail", "heartbeat"]),
    ];

    /// <summary>Middleware: escapes the <c>/</c> inside an ARN or callback id of the path.</summary>
    /// <remarks>Runs for every request, so it reads the path as spans and allocates only when it rewrites it.</remarks>
    public static Task Normalize(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value;
        if (path is not null)
        {
            foreach (var (prefix, actions) in SlashedParameters)
            {
                if (!path.StartsWith(prefix, StringComparison.Ordinal) || path.Length == prefix.Length)
                {
                    continue;
                }

                var rest = path.AsSpan(prefix.Length);
                var slash = rest.LastIndexOf('/');
                var actionLength = slash > 0 && IsAction(actions, rest[(slash + 1)..]) ? rest.Length - slash : 0;
                var target = rest[..(rest.Length - actionLength)];
                if (target.Contains('/'))
                {
                    context.Request.Path = new PathString(string.Concat(prefix, target.ToString().Replace("/", "%2F", StringComparison.Ordinal), rest[target.Length..]));
                }

                break;
            }
        }

        return next(context);
    }

    private static bool IsAction(string[] actions, ReadOnlySpan<char> segment)
    {
        foreach (var action in actions)
        {
            if (segment.SequenceEqual(action))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A route parameter, with the <c>%2F</c> that the server leaves escaped in paths turned back into <c>/</c>.</summary>
    public static string Get(HttpContext context, string name)
        => context.Request.RouteValues[name] as string is { } value
            ? value.Contains('%', StringComparison.Ordinal) ? value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase) : value
            : string.Empty;
}
