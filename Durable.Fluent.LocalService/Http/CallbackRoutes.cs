using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// <c>/2025-12-01/durable-execution-callbacks/{CallbackId}</c>: SendDurableExecutionCallbackSuccess, ...Failure and
/// ...Heartbeat. A completed callback wakes its execution's worker.
/// </summary>
internal sealed class CallbackRoutes(LocalDurableService service)
{
    /// <summary>The largest error object accepted, serialized (the emulator's limit).</summary>
    private const int MaxErrorBytes = 32_768;

    /// <summary>The model's CallbackId: 1–1024 characters of the base64 alphabet.</summary>
    private static readonly Regex CallbackIdPattern = new("^[A-Za-z0-9+/]+={0,2}$", RegexOptions.CultureInvariant);

    public void Map(IEndpointRouteBuilder api)
    {
        var callbacks = api.MapGroup("/durable-execution-callbacks/{callbackId}");
        callbacks.MapPost("/succeed", SucceedAsync);
        callbacks.MapPost("/fail", FailAsync);
        callbacks.MapPost("/heartbeat", HeartbeatAsync);
    }

    private async Task SucceedAsync(HttpContext context)
    {
        var callbackId = CallbackId(context);
        var body = await RequestBody.ReadAsync(
            context,
            "SendDurableExecutionCallbackSuccess",
            BodyKind.Blob,
            LambdaDurableExecutionClient.MaxCallbackResultBytes,
            tooLarge: () => ApiError.Invalid($"The callback result exceeds {LambdaDurableExecutionClient.MaxCallbackResultBytes} bytes."))
            .ConfigureAwait(false);
        string result;
        try
        {
            result = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            throw ApiError.Invalid("The callback result must be UTF-8 text (typically JSON).");
        }

        service.Notify(service.Engine.SendCallbackSuccess(callbackId, result));
        await Responses.EmptyAsync(context).ConfigureAwait(false);
    }

    private async Task FailAsync(HttpContext context)
    {
        const string Operation = "SendDurableExecutionCallbackFailure";
        var callbackId = CallbackId(context);
        var body = await RequestBody.ReadAsync(context, Operation, BodyKind.Json, service.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        var error = RequestBody.ParseErrorPayload(body, Operation);
        if (error is not null && Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(error, WireJson.Rest)) >= MaxErrorBytes)
        {
            throw ApiError.Invalid($"The callback error must be under {MaxErrorBytes} bytes when serialized.");
        }

        service.Notify(service.Engine.SendCallbackFailure(callbackId, error));
        await Responses.EmptyAsync(context).ConfigureAwait(false);
    }

    private Task HeartbeatAsync(HttpContext context)
    {
        RequestBody.CheckNoBodyContentType(context, "SendDurableExecutionCallbackHeartbeat");
        service.Engine.SendCallbackHeartbeat(CallbackId(context));
        return Responses.EmptyAsync(context);
    }

    private static string CallbackId(HttpContext context)
    {
        var id = RouteValues.Get(context, "callbackId");
        return id.Length <= 1024 && CallbackIdPattern.IsMatch(id)
            ? id
            : throw ApiError.Invalid("CallbackId must be 1–1024 characters of the base64 alphabet ([A-Za-z0-9+/]+={0,2}); escape '/' in the path as %2F.");
    }
}
