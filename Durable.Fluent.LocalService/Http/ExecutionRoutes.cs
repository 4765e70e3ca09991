using System.Text.Json;
using System.Text.Json.Serialization;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// <c>/2025-12-01/durable-executions/{DurableExecutionArn}</c>: GetDurableExecution, CheckpointDurableExecution,
/// GetDurableExecutionState, GetDurableExecutionHistory and StopDurableExecution.
/// </summary>
internal sealed class ExecutionRoutes(LocalDurableService service)
{
    private CheckpointIdempotency Idempotency => service.Idempotency;

    private LocalDurableEngine Engine => service.Engine;

    public void Map(IEndpointRouteBuilder api)
    {
        var executions = api.MapGroup("/durable-executions/{arn}");
        executions.MapGet(string.Empty, GetAsync);
        executions.MapPost("/checkpoint", CheckpointAsync);
        executions.MapGet("/state", GetStateAsync);
        executions.MapGet("/history", GetHistoryAsync);
        executions.MapPost("/stop", StopAsync);
    }

    private Task GetAsync(HttpContext context)
    {
        var include = QueryValues.Bool(context.Request.Query, "IncludeExecutionData") ?? true;
        var s = Engine.GetExecution(RouteValues.Get(context, "arn"));
        return Responses.JsonAsync(context, 200, new GetDurableExecutionResponse
        {
            DurableExecutionArn = s.DurableExecutionArn,
            DurableExecutionName = s.DurableExecutionName,
            FunctionArn = s.FunctionArn,
            InputPayload = include ? s.InputPayload : null,
            Result = include ? s.Result : null,
            Error = include ? s.Error : TypeOnly(s.Error),
            StartTimestamp = s.StartTimestamp,
            Status = s.Status,
            EndTimestamp = s.EndTimestamp,
            Version = s.Version,
            TraceHeader = s.TraceHeader is { } trace ? new DurableExecutionTraceHeader { XAmznTraceId = trace } : null,
            ExecutionDataIncluded = include,
            DurableConfig = new DurableConfig { ExecutionTimeout = s.ExecutionTimeoutSeconds, RetentionPeriodInDays = s.RetentionPeriodInDays },
        });
    }

    private async Task CheckpointAsync(HttpContext context)
    {
        const string Operation = "CheckpointDurableExecution";
        var arn = RouteValues.Get(context, "arn");
        var body = await RequestBody.ReadAsync(context, Operation, BodyKind.Json, service.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        service.CountCheckpointRequest();
        var checkpoint = RequestBody.ParseJson<CheckpointBody>(body, Operation);
        if (checkpoint.ClientToken is { Length: 0 or > 64 })
        {
            throw ApiError.Invalid("ClientToken must be 1–64 characters.");
        }

        // The CheckpointToken's format and null updates are checked by the engine, for this route and the in-process port alike.
        var token = checkpoint.CheckpointToken ?? string.Empty;
        var updates = checkpoint.Updates ?? [];
        byte[]? fingerprint = null;
        if (checkpoint.ClientToken is { } clientToken)
        {
            fingerprint = CheckpointIdempotency.Fingerprint(token, JsonSerializer.SerializeToUtf8Bytes(updates, WireJson.Rest));
            if (Idempotency.Replay(arn, clientToken, fingerprint) is { } cached)
            {
                await Responses.WriteBytesAsync(context, 200, cached).ConfigureAwait(false);
                return;
            }
        }

        var result = Engine.Checkpoint(arn, token, updates);
        var response = JsonSerializer.SerializeToUtf8Bytes(
            new CheckpointResponse { CheckpointToken = result.CheckpointToken, NewExecutionState = result.NewExecutionState },
            WireJson.Rest);
        if (checkpoint.ClientToken is not null)
        {
            Idempotency.Remember(arn, checkpoint.ClientToken, fingerprint!, response);
        }

        await Responses.WriteBytesAsync(context, 200, response).ConfigureAwait(false);
    }

    private Task GetStateAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var token = QueryValues.String(query, "CheckpointToken") ?? string.Empty; // its format is checked by the engine
        var maxItems = QueryValues.MaxItems(query);
        var state = Engine.GetState(RouteValues.Get(context, "arn"), token, QueryValues.String(query, "Marker"), maxItems ?? Paging.DefaultMaxItems);
        return Responses.JsonAsync(context, 200, state);
    }

    private Task GetHistoryAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var maxItems = QueryValues.MaxItems(query);
        var include = QueryValues.Bool(query, "IncludeExecutionData");
        var reverse = QueryValues.Bool(query, "ReverseOrder");
        IEnumerable<HistoryEvent> events = Engine.GetHistory(RouteValues.Get(context, "arn"));
        if (reverse == true)
        {
            events = events.Reverse();
        }

        var (page, next) = Paging.Page(events.ToList(), QueryValues.String(query, "Marker"), maxItems);
        if (include == false)
        {
            page = page.Select(StripData).ToList();
        }

        return Responses.JsonAsync(context, 200, new GetDurableExecutionHistoryResponse { Events = page, NextMarker = next });
    }

    private async Task StopAsync(HttpContext context)
    {
        const string Operation = "StopDurableExecution";
        var arn = RouteValues.Get(context, "arn");
        var body = await RequestBody.ReadAsync(context, Operation, BodyKind.Json, service.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        var at = Engine.StopExecution(arn, RequestBody.ParseErrorPayload(body, Operation));
        service.Notify(arn);
        await Responses.JsonAsync(context, 200, new StopDurableExecutionResponse { StopTimestamp = at }).ConfigureAwait(false);
    }

    /// <summary>A history event without its payloads (IncludeExecutionData=false): only the error type is kept.</summary>
    private static HistoryEvent StripData(HistoryEvent e) => e with
    {
        Details = e.Details with
        {
            Input = e.Details.Input is null ? null : new EventPayload(null),
            Result = e.Details.Result is null ? null : new EventPayload(null),
            Error = e.Details.Error is null ? null : new EventError(TypeOnly(e.Details.Error.Payload)!),
        },
    };

    /// <summary>An error without its payload data (IncludeExecutionData=false): the type says what happened.</summary>
    private static ErrorObject? TypeOnly(ErrorObject? error) => error is null ? null : new ErrorObject { ErrorType = error.ErrorType };

    private sealed record CheckpointBody
    {
        [JsonPropertyName("CheckpointToken")]
        public string? CheckpointToken { get; init; }

        [JsonPropertyName("Updates")]
        public IReadOnlyList<OperationUpdate>? Updates { get; init; }

        [JsonPropertyName("ClientToken")]
        public string? ClientToken { get; init; }
    }

    private sealed record CheckpointResponse
    {
        [JsonPropertyName("CheckpointToken")]
        public string? CheckpointToken { get; init; }

        [JsonPropertyName("NewExecutionState")]
        public required ExecutionState NewExecutionState { get; init; }
    }
}
