using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Durable.Fluent.LocalService.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Durable.Fluent.LocalService.Dashboard;

/// <summary>
/// The dashboard: plain HTML, CSS and JavaScript embedded in this assembly (nothing is fetched from elsewhere, so it works
/// offline), served at <c>/dashboard/</c>. The pages read and act only through the public REST routes; the one route added
/// for them, <c>GET /dashboard/api/graph/{FunctionName}</c>, is read-only and answers the Mermaid flowchart of a
/// registered .NET definition (404 ResourceNotFoundException for a function registered as a handler or by URL).
/// Every response carries a Content-Security-Policy that allows only this origin's own scripts and styles, no inline
/// script, no framing, no form posts — a second line of defence behind the pages' rule of inserting user data as text.
/// </summary>
internal sealed class DashboardRoutes(LocalDurableService service)
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, Asset> Assets = LoadAssets();

    public void Map(IEndpointRouteBuilder app)
    {
        // One template matches "/dashboard" and "/dashboard/": the page needs the slash for its relative asset links.
        app.MapGet("/dashboard", static context =>
        {
            if (context.Request.Path.Value?.EndsWith('/') == true)
            {
                return ServeAsync(context, "index.html");
            }

            context.Response.Redirect("/dashboard/", permanent: false);
            return Task.CompletedTask;
        });
        app.MapGet("/dashboard/{file}", context => ServeAsync(context, RouteValues.Get(context, "file")));
        app.MapGet("/dashboard/api/graph/{functionName}", GraphAsync);
    }

    private static Task ServeAsync(HttpContext context, string file)
    {
        if (!Assets.TryGetValue(file, out var asset))
        {
            throw ApiError.NotFound($"The dashboard has no file '{file}'.");
        }

        Secure(context.Response);
        context.Response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            context.Response.StatusCode = 304;
            return Task.CompletedTask;
        }

        return Responses.WriteBytesAsync(context, 200, asset.Bytes, asset.ContentType);
    }

    private Task GraphAsync(HttpContext context)
    {
        var name = RouteValues.Get(context, "functionName");
        var mermaid = service.DefinitionGraph(name)
            ?? throw ApiError.NotFound($"No .NET workflow definition is registered as '{name}' (functions registered as handlers or by URL have none).");
        Secure(context.Response);
        return Responses.WriteBytesAsync(context, 200, Encoding.UTF8.GetBytes(mermaid), "text/vnd.mermaid; charset=utf-8");
    }

    private static void Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.CacheControl = "no-cache";
    }

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        const string Prefix = "Durable.Fluent.LocalService.Dashboard.wwwroot.";
        var assembly = typeof(DashboardRoutes).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var file = resource[Prefix.Length..];
            var type = Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets[file] = new Asset(bytes, type, "\"" + Convert.ToHexString(SHA256.HashData(bytes))[..16] + "\"");
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
