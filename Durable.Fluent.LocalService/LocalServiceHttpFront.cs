using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Testing;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.LocalService;

/// <summary>
/// The HTTP front of <see cref="LocalDurableService"/> (HttpListener): routes, body limits, JSON (de)serialization with
/// <see cref="WireJson.Rest"/>, and AWS-shaped errors <c>{"Type": "...", "message": "..."}</c> (capital <c>Message</c> for
/// ResourceNotFound and Service errors, as the Python emulator) with the <c>x-amzn-ErrorType</c> header.
/// </summary>
internal sealed class LocalServiceHttpFront : IAsyncDisposable
{
    private const string Api = "/2025-12-01";
    private const int MaxCallbackResultBytes = 262_144;
    private static readonly TimeSpan ClientTokenWindow = TimeSpan.FromMinutes(15);
    private readonly LocalDurableService _service;
    private readonly LocalDurableServiceOptions _options;
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<Task, byte> _requests = new();
    private readonly ConcurrentDictionary<(string Arn, string ClientToken, string CheckpointToken), (DateTimeOffset At, byte[] Body)> _idempotency = new();
    private readonly Task _acceptLoop;

    private LocalServiceHttpFront(LocalDurableService service, LocalDurableServiceOptions options, HttpListener listener, Uri endpoint)
    {
        _service = service;
        _options = options;
        _listener = listener;
        Endpoint = endpoint;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint { get; }

    public static LocalServiceHttpFront Start(LocalDurableService service, LocalDurableServiceOptions options)
    {
        var wildcard = options.Host is "0.0.0.0" or "::" or "*" or "+";
        var prefixHost = wildcard ? "+" : (options.Host.Contains(':', StringComparison.Ordinal) ? $"[{options.Host.Trim('[', ']')}]" : options.Host);
        if (OperatingSystem.IsWindows() && options.Host == "127.0.0.1")
        {
            // http.sys lets a non-elevated process register a localhost prefix, not an IP one.
            prefixHost = "localhost";
        }

        HttpListenerException? last = null;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var port = options.Port != 0 ? options.Port : FreePort();
            var listener = new HttpListener { IgnoreWriteExceptions = true };
            listener.Prefixes.Add($"http://{prefixHost}:{port}/");
            try
            {
                listener.Start();
            }
            catch (HttpListenerException ex)
            {
                ((IDisposable)listener).Dispose();
                last = ex;
                if (options.Port != 0)
                {
                    throw;
                }

                continue;
            }

            var endpointHost = wildcard ? "127.0.0.1" : prefixHost;
            return new LocalServiceHttpFront(service, options, listener, new Uri($"http://{endpointHost}:{port}/", UriKind.Absolute));
        }

        throw last!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _listener.Stop();
        }
        catch (ObjectDisposedException)
        {
        }

        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
        }

        try
        {
            await Task.WhenAll(_requests.Keys).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _service.Log.LogDebug(ex, "A request ended with an error during shutdown.");
        }

        _listener.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var task = Task.Run(() => ServeAsync(context));
            _requests.TryAdd(task, 0);
            _ = task.ContinueWith(t => _requests.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var reply = await RouteAsync(context.Request).ConfigureAwait(false);
            await WriteAsync(response, reply).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _service.Log.LogError(ex, "The local durable service failed to serve {Method} {Url}", context.Request.HttpMethod, context.Request.RawUrl);
            try
            {
                await WriteAsync(response, Error(500, "ServiceException", "The local durable service failed: " + ex.Message)).ConfigureAwait(false);
            }
            catch (Exception inner) when (inner is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
            {
            }
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, Reply reply)
    {
        response.StatusCode = reply.Status;
        if (reply.ErrorType is not null)
        {
            response.Headers["x-amzn-ErrorType"] = reply.ErrorType;
        }

        if (reply.Allow is not null)
        {
            response.Headers["Allow"] = reply.Allow;
        }

        response.ContentType = "application/json";
        response.ContentLength64 = reply.Body.Length;
        if (reply.Body.Length > 0)
        {
            await response.OutputStream.WriteAsync(reply.Body).ConfigureAwait(false);
        }

        response.Close();
    }

    private async Task<Reply> RouteAsync(HttpListenerRequest request)
    {
        var raw = request.RawUrl ?? "/";
        var q = raw.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? raw : raw[..q];
        var query = ParseQuery(q < 0 ? string.Empty : raw[(q + 1)..]);
        var method = request.HttpMethod.ToUpperInvariant();

        if (path == "/health")
        {
            return method == "GET" ? Json(200, new Dictionary<string, string> { ["Status"] = "OK" }) : NotAllowed("GET");
        }

        if (path == "/start-durable-execution")
        {
            return method == "POST" ? await StartAsync(request).ConfigureAwait(false) : NotAllowed("POST");
        }

        if (path == Api + "/durable-executions" || path == Api + "/durable-executions/")
        {
            return method == "GET" ? ListAll(query) : NotAllowed("GET");
        }

        if (path.StartsWith(Api + "/durable-executions/", StringComparison.Ordinal))
        {
            var rest = path[(Api.Length + "/durable-executions/".Length)..];
            var (arnRaw, action) = SplitAction(rest, "checkpoint", "state", "history", "stop");
            var arn = Uri.UnescapeDataString(arnRaw);
            return (action, method) switch
            {
                (null, "GET") => GetExecution(arn),
                (null, _) => NotAllowed("GET"),
                ("checkpoint", "POST") => await CheckpointAsync(arn, request).ConfigureAwait(false),
                ("state", "GET") => GetState(arn, query),
                ("history", "GET") => GetHistory(arn, query),
                ("stop", "POST") => await StopAsync(arn, request).ConfigureAwait(false),
                ("checkpoint" or "stop", _) => NotAllowed("POST"),
                _ => NotAllowed("GET"),
            };
        }

        if (path.StartsWith(Api + "/durable-execution-callbacks/", StringComparison.Ordinal))
        {
            var rest = path[(Api.Length + "/durable-execution-callbacks/".Length)..];
            var (idRaw, action) = SplitAction(rest, "succeed", "fail", "heartbeat");
            if (action is null || idRaw.Length == 0)
            {
                return UnknownRoute(method, path);
            }

            if (method != "POST")
            {
                return NotAllowed("POST");
            }

            var callbackId = Uri.UnescapeDataString(idRaw);
            return action switch
            {
                "succeed" => await CallbackSucceedAsync(callbackId, request).ConfigureAwait(false),
                "fail" => await CallbackFailAsync(callbackId, request).ConfigureAwait(false),
                _ => Engine(() => _service.Engine.SendCallbackHeartbeat(callbackId), notify: false),
            };
        }

        if (path.StartsWith(Api + "/functions/", StringComparison.Ordinal) && path.EndsWith("/durable-executions", StringComparison.Ordinal))
        {
            var name = Uri.UnescapeDataString(path[(Api.Length + "/functions/".Length)..^"/durable-executions".Length]);
            return method == "GET" ? ListByFunction(name, query) : NotAllowed("GET");
        }

        return UnknownRoute(method, path);
    }

    private static (string Target, string? Action) SplitAction(string rest, params string[] actions)
    {
        var slash = rest.LastIndexOf('/');
        if (slash > 0 && actions.Contains(rest[(slash + 1)..], StringComparer.Ordinal))
        {
            return (rest[..slash], rest[(slash + 1)..]);
        }

        return (rest, null);
    }

    private async Task<Reply> StartAsync(HttpListenerRequest request)
    {
        var (body, tooLarge) = await ReadBodyAsync(request).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return tooLarge;
        }

        if (!TryParse<StartBody>(body, out var start, out var bad))
        {
            return bad!;
        }

        if (string.IsNullOrEmpty(start!.FunctionName))
        {
            return Invalid("FunctionName is required.");
        }

        return Engine(
            () =>
            {
                var arn = _service.StartExecution(
                    start.FunctionName,
                    start.Input,
                    start.ExecutionName,
                    string.IsNullOrEmpty(start.FunctionQualifier) ? "$LATEST" : start.FunctionQualifier,
                    start.ExecutionTimeoutSeconds is > 0 and <= 31_622_400 ? start.ExecutionTimeoutSeconds.Value : 300);
                return Json(201, new StartResponse { ExecutionArn = arn, DurableExecutionArn = arn });
            });
    }

    private Reply GetExecution(string arn) => Engine(() =>
    {
        var s = _service.Engine.GetExecution(arn);
        return Json(200, new GetDurableExecutionResponse
        {
            DurableExecutionArn = s.DurableExecutionArn,
            DurableExecutionName = s.DurableExecutionName,
            FunctionArn = s.FunctionArn,
            InputPayload = s.InputPayload,
            Result = s.Result,
            Error = s.Error,
            StartTimestamp = s.StartTimestamp,
            Status = s.Status,
            EndTimestamp = s.EndTimestamp,
            Version = s.Version,
        });
    });

    private async Task<Reply> CheckpointAsync(string arn, HttpListenerRequest request)
    {
        var (body, tooLarge) = await ReadBodyAsync(request).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return tooLarge;
        }

        _service.CountCheckpointRequest();
        if (!TryParse<CheckpointBody>(body, out var checkpoint, out var bad))
        {
            return bad!;
        }

        if (string.IsNullOrEmpty(checkpoint!.CheckpointToken) || checkpoint.CheckpointToken.Length > 2048)
        {
            return Invalid("CheckpointToken is required (1–2048 characters).");
        }

        if (checkpoint.ClientToken is { Length: 0 or > 64 })
        {
            return Invalid("ClientToken must be 1–64 characters.");
        }

        if (checkpoint.Updates?.Any(u => u is null) == true)
        {
            return Invalid("Updates must not contain null.");
        }

        var now = _options.TimeProvider.GetUtcNow();
        var key = (arn, checkpoint.ClientToken ?? string.Empty, checkpoint.CheckpointToken);
        if (checkpoint.ClientToken is not null && _idempotency.TryGetValue(key, out var cached) && now - cached.At < ClientTokenWindow)
        {
            return new Reply(200, cached.Body);
        }

        var reply = Engine(() =>
        {
            var result = _service.Engine.Checkpoint(arn, checkpoint.CheckpointToken, checkpoint.Updates ?? []);
            return Json(200, new CheckpointResponse { CheckpointToken = result.CheckpointToken, NewExecutionState = result.NewExecutionState });
        });
        if (checkpoint.ClientToken is not null && reply.Status == 200)
        {
            foreach (var old in _idempotency.Where(e => now - e.Value.At >= ClientTokenWindow).Select(e => e.Key).ToList())
            {
                _idempotency.TryRemove(old, out _);
            }

            _idempotency[key] = (now, reply.Body);
        }

        return reply;
    }

    private Reply GetState(string arn, ILookup<string, string> query)
    {
        var token = query["CheckpointToken"].FirstOrDefault();
        if (string.IsNullOrEmpty(token))
        {
            return Invalid("CheckpointToken is required.");
        }

        if (!TryMaxItems(query, out var maxItems, out var bad))
        {
            return bad!;
        }

        return Engine(() => Json(200, _service.Engine.GetState(arn, token, query["Marker"].FirstOrDefault(), maxItems ?? 100)));
    }

    private Reply GetHistory(string arn, ILookup<string, string> query)
    {
        if (!TryMaxItems(query, out var maxItems, out var bad) || !TryBool(query, "IncludeExecutionData", out var include, out bad) || !TryBool(query, "ReverseOrder", out var reverse, out bad))
        {
            return bad!;
        }

        return Engine(() =>
        {
            IEnumerable<HistoryEvent> events = _service.Engine.GetHistory(arn);
            if (reverse == true)
            {
                events = events.Reverse();
            }

            var all = events.ToList();
            var (page, next) = Page(all, query["Marker"].FirstOrDefault(), maxItems ?? 100, out var badMarker);
            if (badMarker is not null)
            {
                return badMarker;
            }

            if (include == false)
            {
                page = page.Select(StripData).ToList();
            }

            return Json(200, new GetDurableExecutionHistoryResponse { Events = page, NextMarker = next });
        });
    }

    private async Task<Reply> StopAsync(string arn, HttpListenerRequest request)
    {
        var (body, tooLarge) = await ReadBodyAsync(request).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return tooLarge;
        }

        ErrorBody? stop = null;
        if (body.Length > 0 && !TryParse(body, out stop, out var bad))
        {
            return bad!;
        }

        return Engine(() =>
        {
            var at = _service.Engine.StopExecution(arn, stop?.Error);
            return Json(200, new StopDurableExecutionResponse { StopTimestamp = at });
        });
    }

    private async Task<Reply> CallbackSucceedAsync(string callbackId, HttpListenerRequest request)
    {
        var (body, tooLarge) = await ReadBodyAsync(request, MaxCallbackResultBytes).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            // The API answers an oversized Result with a validation error (the shape's limit is 262,144 bytes).
            return Invalid($"The callback result exceeds {MaxCallbackResultBytes} bytes.");
        }

        string result;
        try
        {
            result = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return Invalid("The callback result must be UTF-8 text (typically JSON).");
        }

        return Engine(() => _service.Engine.SendCallbackSuccess(callbackId, result), notify: true);
    }

    private async Task<Reply> CallbackFailAsync(string callbackId, HttpListenerRequest request)
    {
        var (body, tooLarge) = await ReadBodyAsync(request).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return tooLarge;
        }

        ErrorBody? failure = null;
        if (body.Length > 0 && !TryParse(body, out failure, out var bad))
        {
            return bad!;
        }

        if (failure?.Error is { } error && Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(error, WireJson.Rest)) >= 32_768)
        {
            return Invalid("The callback error must be under 32,768 bytes when serialized.");
        }

        return Engine(() => _service.Engine.SendCallbackFailure(callbackId, failure?.Error), notify: true);
    }

    private Reply ListAll(ILookup<string, string> query)
        => List(_service.Engine.ListExecutions(), query);

    private Reply ListByFunction(string functionName, ILookup<string, string> query)
    {
        var name = LocalDurableService.FunctionNameOf(functionName);
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            name = name[..colon]; // a qualified ARN or name:qualifier
        }

        var executions = _service.Engine.ListExecutions().Where(e => LocalDurableService.FunctionNameOf(e.FunctionArn) == name).ToList();
        if (executions.Count == 0 && !_service.IsRegistered(name))
        {
            return Error(404, "ResourceNotFoundException", $"Function not found: {functionName}");
        }

        return List(executions, query);
    }

    private Reply List(IReadOnlyList<ExecutionSnapshot> executions, ILookup<string, string> query)
    {
        if (!TryMaxItems(query, out var maxItems, out var bad) || !TryBool(query, "ReverseOrder", out var reverse, out bad))
        {
            return bad!;
        }

        var statuses = new List<ExecutionStatus>();
        foreach (var s in query["Statuses"])
        {
            if (!UpperSnakeEnumConverter<ExecutionStatus>.TryParse(s, out var status))
            {
                return Invalid($"Unknown status '{s}'.");
            }

            statuses.Add(status);
        }

        if (statuses.Count > 10)
        {
            return Invalid("Statuses takes 1–10 values.");
        }

        if (!TryTime(query, "StartedAfter", out var after, out bad) || !TryTime(query, "StartedBefore", out var before, out bad))
        {
            return bad!;
        }

        IEnumerable<ExecutionSnapshot> filtered = executions;
        if (query["Qualifier"].FirstOrDefault() is { Length: > 0 } qualifier)
        {
            filtered = filtered.Where(e => e.Version == qualifier);
        }

        if (query["DurableExecutionName"].FirstOrDefault() is { Length: > 0 } name)
        {
            filtered = filtered.Where(e => e.DurableExecutionName == name);
        }

        if (statuses.Count > 0)
        {
            filtered = filtered.Where(e => statuses.Contains(e.Status));
        }

        if (after is { } a)
        {
            filtered = filtered.Where(e => e.StartTimestamp > a);
        }

        if (before is { } b)
        {
            filtered = filtered.Where(e => e.StartTimestamp < b);
        }

        if (reverse == true)
        {
            filtered = filtered.Reverse();
        }

        var (page, next) = Page(filtered.ToList(), query["Marker"].FirstOrDefault(), maxItems ?? 100, out var badMarker);
        if (badMarker is not null)
        {
            return badMarker;
        }

        return Json(200, new ListDurableExecutionsByFunctionResponse
        {
            DurableExecutions = page.Select(e => new DurableExecutionSummary
            {
                DurableExecutionArn = e.DurableExecutionArn,
                DurableExecutionName = e.DurableExecutionName,
                FunctionArn = e.FunctionArn,
                Status = e.Status,
                StartTimestamp = e.StartTimestamp,
                EndTimestamp = e.EndTimestamp,
            }).ToList(),
            NextMarker = next,
        });
    }

    private static (List<T> Page, string? Next) Page<T>(List<T> all, string? marker, int maxItems, out Reply? bad)
    {
        bad = null;
        var offset = 0;
        if (!string.IsNullOrEmpty(marker) && (!int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > all.Count))
        {
            bad = Invalid($"Invalid Marker '{marker}'.");
            return ([], null);
        }

        var size = maxItems <= 0 ? 100 : maxItems;
        var page = all.Skip(offset).Take(size).ToList();
        var next = offset + page.Count < all.Count ? (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return (page, next);
    }

    private static HistoryEvent StripData(HistoryEvent e) => e with
    {
        Details = e.Details with
        {
            Input = e.Details.Input is null ? null : new EventPayload(null),
            Result = e.Details.Result is null ? null : new EventPayload(null),
            Error = e.Details.Error is null ? null : new EventError(new ErrorObject { ErrorType = e.Details.Error.Payload.ErrorType }),
        },
    };

    private Reply Engine(Func<Reply> call)
    {
        try
        {
            return call();
        }
        catch (LocalEngineException ex)
        {
            return Error(ex.StatusCode, ex.ErrorCode ?? "ServiceException", ex.Message);
        }
    }

    private Reply Engine(Func<string> call, bool notify)
    {
        try
        {
            var arn = call();
            if (notify)
            {
                _service.Notify(arn);
            }

            return new Reply(200, []);
        }
        catch (LocalEngineException ex)
        {
            return Error(ex.StatusCode, ex.ErrorCode ?? "ServiceException", ex.Message);
        }
    }

    private async Task<(byte[] Body, Reply? TooLarge)> ReadBodyAsync(HttpListenerRequest request, long? limit = null)
    {
        var max = limit ?? _options.MaxRequestBodyBytes;
        var tooLarge = Error(413, "RequestTooLargeException", $"The request body exceeds {max} bytes.");
        if (!request.HasEntityBody)
        {
            return ([], null);
        }

        var chunk = new byte[81920];
        if (request.ContentLength64 > max)
        {
            await DrainAsync(request.InputStream, chunk).ConfigureAwait(false);
            return ([], tooLarge);
        }

        using var buffer = new MemoryStream();
        int read;
        while ((read = await request.InputStream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > max)
            {
                await DrainAsync(request.InputStream, chunk).ConfigureAwait(false);
                return ([], tooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.ToArray(), null);
    }

    /// <summary>
    /// Reads and discards the rest of an oversized body (up to 64 MiB) so the client, still sending, gets the error response
    /// instead of a reset connection; beyond that the connection is simply closed.
    /// </summary>
    private static async Task DrainAsync(Stream body, byte[] chunk)
    {
        const long maxDrain = 64L * 1024 * 1024;
        long drained = 0;
        int read;
        while (drained < maxDrain && (read = await body.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            drained += read;
        }
    }

    private static bool TryParse<T>(byte[] body, out T? value, out Reply? bad)
        where T : class
    {
        value = null;
        bad = null;
        if (body.Length == 0)
        {
            bad = Invalid("The request body is empty; a JSON object is required.");
            return false;
        }

        try
        {
            value = JsonSerializer.Deserialize<T>(body, WireJson.Rest);
        }
        catch (JsonException ex)
        {
            bad = Invalid($"The request body is not valid JSON for this operation: {ex.Message}");
            return false;
        }

        if (value is null)
        {
            bad = Invalid("The request body must be a JSON object, not null.");
            return false;
        }

        return true;
    }

    private static bool TryMaxItems(ILookup<string, string> query, out int? maxItems, out Reply? bad)
    {
        maxItems = null;
        bad = null;
        if (query["MaxItems"].FirstOrDefault() is not { } text)
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 1000)
        {
            bad = Invalid($"MaxItems must be an integer from 0 to 1000, not '{text}'.");
            return false;
        }

        maxItems = n;
        return true;
    }

    private static bool TryBool(ILookup<string, string> query, string name, out bool? value, out Reply? bad)
    {
        value = null;
        bad = null;
        if (query[name].FirstOrDefault() is not { } text)
        {
            return true;
        }

        if (!bool.TryParse(text, out var b))
        {
            bad = Invalid($"{name} must be true or false, not '{text}'.");
            return false;
        }

        value = b;
        return true;
    }

    private static bool TryTime(ILookup<string, string> query, string name, out DateTimeOffset? value, out Reply? bad)
    {
        value = null;
        bad = null;
        if (query[name].FirstOrDefault() is not { } text)
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            value = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            value = t;
            return true;
        }

        bad = Invalid($"{name} must be an ISO-8601 timestamp or epoch seconds, not '{text}'.");
        return false;
    }

    private static ILookup<string, string> ParseQuery(string query)
        => query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var k = eq < 0 ? pair : pair[..eq];
                var v = eq < 0 ? string.Empty : pair[(eq + 1)..];
                return (Key: Uri.UnescapeDataString(k.Replace('+', ' ')), Value: Uri.UnescapeDataString(v.Replace('+', ' ')));
            })
            .ToLookup(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static Reply Json<T>(int status, T value) => new(status, JsonSerializer.SerializeToUtf8Bytes(value, WireJson.Rest));

    private static Reply Invalid(string message) => Error(400, "InvalidParameterValueException", message);

    private static Reply NotAllowed(string allow) => Error(405, "MethodNotAllowedException", $"Method not allowed; this route accepts {allow}.") with { Allow = allow };

    private static Reply UnknownRoute(string method, string path) => Error(404, "UnknownOperationException", $"No operation is served at {method} {path}.");

    /// <summary>The emulator's error body: <c>Type</c> plus <c>message</c> (capital <c>Message</c> for ResourceNotFound and Service errors).</summary>
    internal static Reply Error(int status, string type, string message)
    {
        var key = type is "ResourceNotFoundException" or "ServiceException" ? "Message" : "message";
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["Type"] = type, [key] = message });
        return new Reply(status, body) { ErrorType = type };
    }

    internal sealed record Reply(int Status, byte[] Body)
    {
        public string? ErrorType { get; init; }

        public string? Allow { get; init; }
    }

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

    private sealed record ErrorBody
    {
        [JsonPropertyName("Error")]
        public ErrorObject? Error { get; init; }
    }
}
