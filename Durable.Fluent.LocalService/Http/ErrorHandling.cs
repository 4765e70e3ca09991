using Durable.Fluent.Testing.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// The outermost middleware: turns every refusal into the AWS error shape. <see cref="ApiError"/> and the engine's
/// <see cref="LocalEngineException"/> keep their status and type; Kestrel's own refusals (a body over its limits, a stalled
/// body) keep their status; anything unexpected is 500 ServiceException (and logged). Empty 404 and 405 answers of the
/// router become UnknownOperationException and MethodNotAllowedException (with <c>Allow</c>).
/// </summary>
internal sealed class ErrorHandling(ILogger log)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiError or LocalEngineException)
        {
            var error = ApiError.From(ex);
            await AwsErrorBody.WriteAsync(context, error.Status, error.ErrorType, error.Message, error.Allow).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException ex)
        {
            var type = ex.StatusCode switch
            {
                413 => "RequestTooLargeException",
                408 => "RequestTimeoutException",
                _ => "InvalidRequestContentException",
            };
            await AwsErrorBody.WriteAsync(context, ex.StatusCode, type, ex.Message).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.LogError(ex, "The local durable service failed to serve {Method} {Path}", context.Request.Method, context.Request.Path);
            var error = ApiError.From(ex);
            await AwsErrorBody.WriteAsync(context, error.Status, error.ErrorType, error.Message).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        if (response.HasStarted || response.ContentLength is > 0)
        {
            return;
        }

        if (response.StatusCode == 404)
        {
            await AwsErrorBody.WriteAsync(context, 404, "UnknownOperationException", $"No operation is served at {context.Request.Method} {context.Request.Path}.").ConfigureAwait(false);
        }
        else if (response.StatusCode == 405)
        {
            var allow = response.Headers.Allow.ToString();
            await AwsErrorBody.WriteAsync(context, 405, "MethodNotAllowedException", $"Method not allowed; this route accepts {allow}.", allow).ConfigureAwait(false);
        }
    }
}
