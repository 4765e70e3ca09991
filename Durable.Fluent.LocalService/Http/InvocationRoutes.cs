using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Durable.Fluent.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// Lambda's Invoke, the way executions of a durable function start on AWS:
/// <c>POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=]</c> with the payload as the body and the headers
/// <c>X-Amz-Invocation-Type</c> (<c>RequestResponse</c> by default, <c>Event</c>, <c>DryRun</c>),
/// <c>X-Amz-Durable-Execution-Name</c> and <c>X-Amz-Tenant-Id</c> (both kept on the execution, with the request's
/// <c>X-Amzn-Trace-Id</c>: GetDurableExecution's <c>TraceHeader</c>). The answer carries <c>X-Amz-Durable-Execution-Arn</c>.
/// <c>Event</c> answers 202 once the execution is started; <c>RequestResponse</c> waits for the whole durable execution
/// (as Lambda does for a synchronous invocation of a durable function, within its 15-minute limit:
/// <see cref="LocalDurableServiceOptions.SynchronousInvocationTimeout"/>) and answers its result, or a function error
/// (<c>X-Amz-Function-Error: Unhandled</c>, body <c>{"errorType","errorMessage"}</c>) when it failed, timed out or was
/// stopped.
/// </summary>
internal sealed class InvocationRoutes(LocalDurableService service)
{
    public const string ArnHeader = "X-Amz-Durable-Execution-Arn";
    private const int SynchronousPayloadLimit = 6_291_456;
    private const int AsynchronousPayloadLimit = 1_048_576;
    private static readonly Regex QualifierPattern = new(@"^(\$LATEST|[a-zA-Z0-9_-]{1,128})$", RegexOptions.CultureInvariant);

    public void Map(IEndpointRouteBuilder app)
        => app.MapPost("/2015-03-31/functions/{functionName}/invocations", InvokeAsync);

    private async Task InvokeAsync(HttpContext context)
    {
        const string Operation = "Invoke";
        var headers = context.Request.Headers;
        var type = headers["X-Amz-Invocation-Type"].ToString() is { Length: > 0 } t ? t : "RequestResponse";
        if (type is not ("RequestResponse" or "Event" or "DryRun"))
        {
            throw ApiError.Invalid($"X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, not '{type}'.");
        }

        var (function, qualifier) = Function(RouteValues.Get(context, "functionName"), QueryValues.String(context.Request.Query, "Qualifier"));
        var name = headers["X-Amz-Durable-Execution-Name"].ToString() is { Length: > 0 } n ? n : null;
        if (name is not null && !LocalDurableService.IsValidName(name))
        {
            throw ApiError.Invalid($"X-Amz-Durable-Execution-Name '{name}' is invalid: 1–64 characters of [a-zA-Z0-9-_].");
        }

        var tenant = headers["X-Amz-Tenant-Id"].ToString() is { Length: > 0 } tid ? tid : null;
        if (tenant is { Length: > 256 })
        {
            throw ApiError.Invalid("X-Amz-Tenant-Id is at most 256 characters.");
        }

        if (!service.IsRegistered(function))
        {
            throw ApiError.NotFound($"Function not found: {function}. No function of that name is registered with the local durable service.");
        }

        var limit = type == "Event" ? AsynchronousPayloadLimit : SynchronousPayloadLimit;
        var input = Payload(await RequestBody.ReadAsync(context, Operation, BodyKind.Blob, limit).ConfigureAwait(false));
        if (type == "DryRun")
        {
            await Responses.EmptyAsync(context, 204).ConfigureAwait(false);
            return;
        }

        var trace = headers["X-Amzn-Trace-Id"].ToString() is { Length: > 0 } tr ? tr : null;
        if (trace is { Length: > 2048 })
        {
            throw ApiError.Invalid("X-Amzn-Trace-Id is at most 2048 characters.");
        }

        var (arn, _) = await service.StartOrAttachAsync(function, input, name, qualifier, tenant, trace).ConfigureAwait(false);
        context.Response.Headers[ArnHeader] = arn;
        if (type == "Event")
        {
            await Responses.EmptyAsync(context, 202).ConfigureAwait(false);
            return;
        }

        var timeout = service.Options.SynchronousInvocationTimeout;
        var ended = await service.WaitForEndAsync(arn, timeout, context.RequestAborted).ConfigureAwait(false);
        var execution = service.Engine.GetExecution(arn);
        context.Response.Headers["X-Amz-Executed-Version"] = execution.Version;
        if (!ended)
        {
            await FunctionErrorAsync(
                context,
                "Sandbox.Timedout",
                $"The synchronous invocation waited {timeout.TotalSeconds:0.###} s (SynchronousInvocationTimeout) and durable execution {arn} has not ended; it goes on. Read its outcome with GetDurableExecution.",
                null).ConfigureAwait(false);
            return;
        }

        if (execution.Status == ExecutionStatus.Succeeded)
        {
            await Responses.WriteBytesAsync(context, 200, Encoding.UTF8.GetBytes(execution.Result ?? "null")).ConfigureAwait(false);
            return;
        }

        await FunctionErrorAsync(
            context,
            execution.Error?.ErrorType ?? "DurableExecution." + UpperSnakeEnumConverter<ExecutionStatus>.ToToken(execution.Status),
            execution.Error?.ErrorMessage ?? $"The durable execution ended {UpperSnakeEnumConverter<ExecutionStatus>.ToToken(execution.Status)}.",
            execution.Error?.StackTrace).ConfigureAwait(false);
    }

    /// <summary>
    /// The function and qualifier of the path (a name, <c>name:qualifier</c>, a function ARN or a partial ARN) and the
    /// <c>Qualifier</c> query parameter, which must agree when both are given.
    /// </summary>
    private static (string Function, string Qualifier) Function(string path, string? queryQualifier)
    {
        var text = LocalDurableService.FunctionNameOf(path);
        var parts = text.Split(':');
        if (parts.Length > 2 || !LocalDurableService.IsValidName(parts[0]))
        {
            throw ApiError.Invalid($"FunctionName '{path}' is not a function name, name:qualifier or function ARN.");
        }

        var qualifier = parts.Length == 2 ? parts[1] : null;
        if (qualifier is not null && queryQualifier is not null && qualifier != queryQualifier)
        {
            throw ApiError.Invalid($"The qualifier in FunctionName ('{qualifier}') and the Qualifier parameter ('{queryQualifier}') differ.");
        }

        qualifier ??= queryQualifier ?? "$LATEST";
        return QualifierPattern.IsMatch(qualifier)
            ? (parts[0], qualifier)
            : throw ApiError.Invalid($"Qualifier '{qualifier}' is invalid: $LATEST, a version number or an alias name.");
    }

    /// <summary>The payload as JSON text (Lambda accepts only JSON); empty means none.</summary>
    private static string? Payload(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
            using var _ = JsonDocument.Parse(text);
            return text;
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            throw new ApiError(400, "InvalidRequestContentException", $"Could not parse the request body into JSON: {ex.Message}");
        }
    }

    /// <summary>A function error as Lambda reports it: 200, <c>X-Amz-Function-Error: Unhandled</c>, the error as the body.</summary>
    private static Task FunctionErrorAsync(HttpContext context, string errorType, string errorMessage, IReadOnlyList<string>? stackTrace)
    {
        context.Response.Headers["X-Amz-Function-Error"] = "Unhandled";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("errorType", errorType);
            w.WriteString("errorMessage", errorMessage);
            if (stackTrace is { Count: > 0 })
            {
                w.WriteStartArray("stackTrace");
                foreach (var line in stackTrace)
                {
                    w.WriteStringValue(line);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        return Responses.WriteBytesAsync(context, 200, buffer.ToArray());
    }
}
