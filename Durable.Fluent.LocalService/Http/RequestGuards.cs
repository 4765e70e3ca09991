using System.Net;
using Microsoft.AspNetCore.Http;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// What every request goes through first. It gets an <c>x-amzn-RequestId</c> (as every service response has). Then, since
/// the service has no authentication, requests a browser makes for another site are refused: a request carrying an
/// <c>Origin</c> other than the service's own, or <c>Sec-Fetch-Site</c> other than <c>same-origin</c>/<c>none</c>, is 403;
/// and while listening on loopback, a <c>Host</c> header that does not name a loopback address (what a DNS-rebinding page
/// sends) is 400. Together with the content-type rules of <see cref="RequestBody"/> a web page cannot drive the service.
/// </summary>
internal sealed class RequestGuards(LocalDurableService service, bool loopbackOnly)
{
    public const string RequestIdHeader = "x-amzn-RequestId";

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.Headers[RequestIdHeader] = service.Ids.RequestId();
        var request = context.Request;
        if (loopbackOnly && !IsLoopbackHost(request.Host))
        {
            return AwsErrorBody.WriteAsync(
                context,
                400,
                "InvalidRequestContentException",
                $"Host '{request.Host}' is not a loopback name; the local durable service answers requests for localhost, 127.0.0.1 or [::1] only (set AllowNonLoopback and listen on another address to serve other names).");
        }

        if (request.Headers.Origin is { Count: > 0 } origin && !IsSameOrigin(origin.ToString(), request))
        {
            return Refuse(context, $"Origin '{origin}'");
        }

        if (request.Headers["Sec-Fetch-Site"] is { Count: > 0 } site && site.ToString() is not ("same-origin" or "none"))
        {
            return Refuse(context, $"Sec-Fetch-Site '{site}'");
        }

        return next(context);
    }

    private static Task Refuse(HttpContext context, string what)
        => AwsErrorBody.WriteAsync(
            context,
            403,
            "AccessDeniedException",
            $"Cross-origin requests are refused ({what}): the local durable service has no authentication, so only its own pages and non-browser clients may call it.");

    private static bool IsLoopbackHost(HostString host)
        => !host.HasValue
            || string.Equals(host.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static bool IsSameOrigin(string origin, HttpRequest request)
        => Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
