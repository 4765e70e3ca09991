using Durable.Fluent.Testing.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Durable.Fluent.LocalService.Http;

/// <summary><c>/2025-12-01/functions/{FunctionName}/durable-executions</c>: ListDurableExecutionsByFunction.</summary>
internal sealed class FunctionRoutes(LocalDurableService service)
{
    public void Map(IEndpointRouteBuilder api)
        => api.MapGet("/functions/{functionName}/durable-executions", ListAsync);

    private Task ListAsync(HttpContext context)
    {
        var functionName = RouteValues.Get(context, "functionName");
        var name = LocalDurableService.FunctionNameOf(functionName);
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            name = name[..colon]; // a qualified ARN or name:qualifier
        }

        if (!service.IsRegistered(name) && service.Engine.ListExecutions(new ExecutionQuery { FunctionName = name }, 0, 1).Items.Count == 0)
        {
            throw ApiError.NotFound($"Function not found: {functionName}");
        }

        return ExecutionListing.WriteAsync(context, service.Engine, name);
    }
}
