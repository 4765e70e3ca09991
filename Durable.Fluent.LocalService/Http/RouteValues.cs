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

                var rest = path[prefix.Length..];
                var slash = rest.LastIndexOf('/');
                var action = slash > 0 && actions.Contains(rest[(slash + 1)..], StringComparer.Ordinal) ? rest[slash..] : string.Empty;
                var target = rest[..(rest.Length - action.Length)];
                if (target.Contains('/', StringComparison.Ordinal))
                {
                    context.Request.Path = new PathString(prefix + target.Replace("/", "%2F", StringComparison.Ordinal) + action);
                }

                break;
            }
        }

        return next(context);
    }

    /// <summary>A route parameter, with the <c>%2F</c> that the server leaves escaped in paths turned back into <c>/</c>.</summary>
    public static string Get(HttpContext context, string name)
        => (context.Request.RouteValues[name] as string ?? string.Empty).Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
}
