using Microsoft.AspNetCore.Http;

namespace Durable.Fluent.LocalService.Http;

/// <summary>What every request goes through first: it gets an <c>x-amzn-RequestId</c> (as every service response has).</summary>
internal sealed class RequestGuards(LocalDurableService service)
{
    public const string RequestIdHeader = "x-amzn-RequestId";

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.Headers[RequestIdHeader] = service.Ids.RequestId();
        return next(context);
    }
}
