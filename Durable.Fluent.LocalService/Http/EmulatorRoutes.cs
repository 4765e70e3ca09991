using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// The routes the emulators add beside the service API: <c>GET /health</c>, <c>POST /start-durable-execution</c> (its
/// <c>ExecutionRetentionPeriodDays</c>, 1–90, sets the execution's retention period) and
/// <c>GET /2025-12-01/durable-executions</c> (every execution).
/// </summary>
internal sealed class EmulatorRoutes(LocalDurableService service)
{
    private const int DefaultExecutionTimeoutSeconds = 300;
    private const int MaxExecutionTimeoutSeconds = 31_622_400;

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", HealthAsync);
        app.MapPost("/start-durable-execution", StartAsync);
        app.MapGet("/2025-12-01/durable-executions", ListAllAsync); // the router also matches a trailing slash
    }

    private static Task HealthAsync(HttpContext context)
        => Responses.JsonAsync(context, 200, new Dictionary<string, string> { ["Status"] = "OK" });

    private async Task StartAsync(HttpContext context)
    {
        const string Operation = "StartDurableExecution";
        var body = await RequestBody.ReadAsync(context, Operation, BodyKind.Json, service.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        var start = RequestBody.ParseJson<StartBody>(body, Operation);
        if (string.IsNullOrEmpty(start.FunctionName))
        {
            throw ApiError.Invalid("FunctionName is required.");
        }

        if (start.ExecutionRetentionPeriodDays is < Testing.Engine.LocalDurableEngine.MinRetentionPeriodInDays or > Testing.Engine.LocalDurableEngine.MaxRetentionPeriodInDays)
        {
            throw ApiError.Invalid($"ExecutionRetentionPeriodDays must be {Testing.Engine.LocalDurableEngine.MinRetentionPeriodInDays}–{Testing.Engine.LocalDurableEngine.MaxRetentionPeriodInDays} days (how long the ended execution is kept), not {start.ExecutionRetentionPeriodDays}; leave it out for the function's or the service's period.");
        }

        var arn = await service.StartExecutionAsync(
            start.FunctionName,
            start.Input,
            start.ExecutionName,
            string.IsNullOrEmpty(start.FunctionQualifier) ? "$LATEST" : start.FunctionQualifier,
            start.ExecutionTimeoutSeconds is > 0 and <= MaxExecutionTimeoutSeconds ? start.ExecutionTimeoutSeconds.Value : DefaultExecutionTimeoutSeconds,
            start.TenantId,
            start.ExecutionRetentionPeriodDays).ConfigureAwait(false);
        await Responses.JsonAsync(context, 201, new StartResponse { ExecutionArn = arn, DurableExecutionArn = arn }).ConfigureAwait(false);
    }

    private Task ListAllAsync(HttpContext context) => ExecutionListing.WriteAsync(context, service.Engine, null);

    private sealed record StartBody
    {
        [JsonPropertyName("FunctionName")]
        public string? FunctionName { get; init; }

        [JsonPropertyName("FunctionQualifier")]
        public string? FunctionQualifier { get; init; }

        [JsonPropertyName("ExecutionName")]
        public string? ExecutionName { get; init; }

        [JsonPropertyName("ExecutionTimeoutSeconds")]
        public int? ExecutionTimeoutSeconds { get; init; }

        [JsonPropertyName("Input")]
        public string? Input { get; init; }

        [JsonPropertyName("ExecutionRetentionPeriodDays")]
        public int? ExecutionRetentionPeriodDays { get; init; }

        [JsonPropertyName("TenantId")]
        public string? TenantId { get; init; }
    }

    private sealed record StartResponse
    {
        [JsonPropertyName("ExecutionArn")]
        public required string ExecutionArn { get; init; }

        [JsonPropertyName("DurableExecutionArn")]
        public required string DurableExecutionArn { get; init; }
    }
}
