using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Durable.Fluent.Wire;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Durable.Fluent.Checkpointing.Http;

/// <summary>
/// The durable execution REST API of AWS Lambda over HTTP (paths under <c>/2025-12-01</c>, rest-json, SigV4 signing name
/// <c>lambda</c>). Implements the checkpoint port <see cref="ICheckpointStore"/> and offers the other calls a user or a
/// test needs: callbacks, execution details, history, stop and list.
/// </summary>
/// <remarks>
/// <para>Every call is retried by a Polly pipeline after throttling (429), a server error (5xx), a network error or an
/// attempt timeout, with exponential backoff and jitter (see <see cref="LambdaDurableClientOptions"/>). Other 4xx
/// responses are never retried. When a call finally fails it throws <see cref="CheckpointException"/>, whose
/// <see cref="CheckpointException.IsRetryable"/> tells the Lambda entry to rethrow (so Lambda retries the invocation) or to
/// fail the execution. Cancellation through the caller's token is rethrown as <see cref="OperationCanceledException"/>.</para>
/// <para>A checkpoint retried after a 5xx or a network error may already have been applied by the first attempt; the
/// service then answers the retry with <c>Invalid Checkpoint Token</c>, which is retryable, so the invocation is retried
/// and replay restores a consistent state. Pass a ClientToken
/// (<see cref="CheckpointAsync(string, string, IReadOnlyList{OperationUpdate}, string, CancellationToken)"/>) to make such
/// retries idempotent instead.</para>
/// <para>Requests are signed with AWSSDK.Core's SigV4 signer (<c>AWS4Signer</c>) at the time of the configured
/// <see cref="TimeProvider"/>; see <see cref="LambdaDurableClientOptions"/> for anonymous requests to a local service.</para>
/// <para>The instance is thread-safe and meant to be reused; dispose it to release the HTTP connections it created.</para>
/// </remarks>
public sealed class LambdaDurableExecutionClient : ICheckpointStore, IDisposable
{
    /// <summary>The API version prefix of every path.</summary>
    public const string ApiVersionPath = "/2025-12-01";

    /// <summary>The page size used by <see cref="GetStateAsync"/> (the maximum the service allows).</summary>
    public const int StateMaxItems = 1000;

    /// <summary>The largest callback success body the service accepts, in bytes.</summary>
    public const int MaxCallbackResultBytes = 262_144;

    private const string JsonContentType = "application/json";
    private const string BinaryContentType = "application/octet-stream";

    private readonly ResolvedClientSettings _settings;
    private readonly string _uriPrefix;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly SigV4Signer? _signer;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly SemaphoreSlim _credentialsLock = new(1, 1);
    private AWSCredentials? _credentials;

    /// <summary>Creates a client; see <see cref="LambdaDurableClientOptions"/> for the defaults.</summary>
    /// <param name="options">The options, or <see langword="null"/> for all defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid, or no region can be determined for signing.</exception>
    public LambdaDurableExecutionClient(LambdaDurableClientOptions? options = null)
        : this(options ?? new LambdaDurableClientOptions(), Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>Creates a client reading the environment through <paramref name="environment"/> (for tests).</summary>
    internal LambdaDurableExecutionClient(LambdaDurableClientOptions options, Func<string, string?> environment)
    {
        _settings = ResolvedClientSettings.Resolve(options, environment);
        _uriPrefix = RestRequest.UriPrefix(_settings.Endpoint);
        _credentials = _settings.Credentials;
        if (!_settings.Unsigned)
        {
            if (_settings.Region is null)
            {
                throw new ArgumentException(
                    "Signed requests need a region: set LambdaDurableClientOptions.Region, AWS_REGION or AWS_DEFAULT_REGION.",
                    nameof(options));
            }

            _signer = new SigV4Signer(_settings.Region);
        }

        if (options.HttpClient is not null)
        {
            _http = options.HttpClient;
        }
        else
        {
            var handler = options.HttpMessageHandler ?? new SocketsHttpHandler
            {
                ConnectTimeout = options.ConnectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            };
            _http = new HttpClient(handler, disposeHandler: options.HttpMessageHandler is null)
            {
                // Each attempt is bounded by the pipeline's timeout strategy instead, which runs on the TimeProvider.
                Timeout = Timeout.InfiniteTimeSpan,
            };
            _ownsHttp = true;
        }

        _pipeline = BuildPipeline(_settings);
    }

    /// <summary>The endpoint requests are sent to.</summary>
    public Uri Endpoint => _settings.Endpoint;

    /// <summary>Whether requests are sent unsigned (local durable service).</summary>
    public bool IsUnsigned => _settings.Unsigned;

    /// <inheritdoc />
    public Task<CheckpointResult> CheckpointAsync(
        string durableExecutionArn,
        string checkpointToken,
        IReadOnlyList<OperationUpdate> updates,
        CancellationToken cancellationToken)
        => CheckpointAsync(durableExecutionArn, checkpointToken, updates, clientToken: null, cancellationToken);

    /// <summary>
    /// CheckpointDurableExecution with an idempotency token: the same request (same ClientToken, checkpoint token and updates)
    /// repeated within 15 minutes is answered with the cached response; the same ClientToken with a different request is
    /// refused (InvalidParameterValueException), so use a new ClientToken per request. The SDKs send none, and neither does
    /// <see cref="CheckpointAsync(string, string, IReadOnlyList{OperationUpdate}, CancellationToken)"/>.
    /// </summary>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <param name="checkpointToken">The current checkpoint token.</param>
    /// <param name="updates">The updates, in order; may be empty to refresh state.</param>
    /// <param name="clientToken">The idempotency token (1–64 characters), or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new token (absent once the execution is terminal) and the changed operations.</returns>
    /// <exception cref="CheckpointException">The service rejected the request or could not be reached.</exception>
    public async Task<CheckpointResult> CheckpointAsync(
        string durableExecutionArn,
        string checkpointToken,
        IReadOnlyList<OperationUpdate> updates,
        string? clientToken,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(durableExecutionArn);
        ArgumentException.ThrowIfNullOrEmpty(checkpointToken);
        ArgumentNullException.ThrowIfNull(updates);

        var body = new CheckpointRequestBody { CheckpointToken = checkpointToken, Updates = updates, ClientToken = clientToken };
        var request = new RestRequest
        {
            OperationName = "CheckpointDurableExecution",
            Method = HttpMethod.Post,
            PathTemplate = ApiVersionPath + "/durable-executions/{DurableExecutionArn}/checkpoint",
            PathParameters = Arn(durableExecutionArn),
            Body = JsonSerializer.SerializeToUtf8Bytes(body, WireJson.Info<CheckpointRequestBody>(WireJson.Rest)),
            ContentType = JsonContentType,
        };
        var response = await SendAsync<CheckpointResponseBody>(request, cancellationToken).ConfigureAwait(false);
        return new CheckpointResult(
            string.IsNullOrEmpty(response?.CheckpointToken) ? null : response.CheckpointToken,
            response?.NewExecutionState ?? new ExecutionState { Operations = [] });
    }

    /// <inheritdoc />
    public async Task<ExecutionState> GetStateAsync(
        string durableExecutionArn,
        string checkpointToken,
        string marker,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(durableExecutionArn);
        ArgumentException.ThrowIfNullOrEmpty(checkpointToken);

        var query = new List<KeyValuePair<string, string>> { new("CheckpointToken", checkpointToken) };
        if (!string.IsNullOrEmpty(marker))
        {
            query.Add(new("Marker", marker));
        }

        query.Add(new("MaxItems", StateMaxItems.ToString(CultureInfo.InvariantCulture)));
        var request = new RestRequest
        {
            OperationName = "GetDurableExecutionState",
            Method = HttpMethod.Get,
            PathTemplate = ApiVersionPath + "/durable-executions/{DurableExecutionArn}/state",
            PathParameters = Arn(durableExecutionArn),
            Query = query,
        };
        var state = await SendAsync<ExecutionState>(request, cancellationToken).ConfigureAwait(false);
        return state ?? new ExecutionState { Operations = [] };
    }

    /// <summary>The response header of Lambda Invoke that carries the ARN of the durable execution it started.</summary>
    public const string DurableExecutionArnHeader = "X-Amz-Durable-Execution-Arn";

    /// <summary>
    /// Starts a durable execution the way AWS does: Lambda <c>Invoke</c>
    /// (<c>POST /2015-03-31/functions/{FunctionName}/invocations</c>) with <c>X-Amz-Invocation-Type: Event</c> and the
    /// execution name in <c>X-Amz-Durable-Execution-Name</c>; the ARN comes back in <see cref="DurableExecutionArnHeader"/>.
    /// The name is the idempotency key: the same name and payload while that execution runs returns its ARN again.
    /// </summary>
    /// <param name="functionName">The function name, <c>name:qualifier</c> or function ARN.</param>
    /// <param name="inputJson">The execution input as JSON text, or <see langword="null"/> for none.</param>
    /// <param name="executionName">The execution name (1–64 of <c>[a-zA-Z0-9-_]</c>), or <see langword="null"/> to let the service pick one.</param>
    /// <param name="qualifier">A version or alias, or <see langword="null"/> for <c>$LATEST</c>.</param>
    /// <param name="tenantId">The tenant to run the execution for (<c>X-Amz-Tenant-Id</c>, 1–256 characters; functions with
    /// tenant isolation require it), or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The execution ARN.</returns>
    /// <exception cref="CheckpointException">
    /// The service rejected the request (for example ResourceNotFoundException for an unknown function, or
    /// DurableExecutionAlreadyStartedException for a name already used with another payload or by an ended execution), or
    /// it answered without an execution ARN (the function is not a durable function), or could not be reached.
    /// </exception>
    public async Task<string> StartDurableExecutionAsync(
        string functionName,
        string? inputJson,
        string? executionName = null,
        string? qualifier = null,
        string? tenantId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(functionName);
        var headers = new List<KeyValuePair<string, string>> { new("X-Amz-Invocation-Type", "Event") };
        if (!string.IsNullOrEmpty(executionName))
        {
            headers.Add(new("X-Amz-Durable-Execution-Name", executionName));
        }

        if (!string.IsNullOrEmpty(tenantId))
        {
            headers.Add(new("X-Amz-Tenant-Id", tenantId));
        }

        var query = new List<KeyValuePair<string, string>>();
        AddIf(query, "Qualifier", qualifier);
        var (responseHeaders, _) = await SendCoreAsync(
            new RestRequest
            {
                OperationName = "Invoke",
                Method = HttpMethod.Post,
                PathTemplate = "/2015-03-31/functions/{FunctionName}/invocations",
                PathParameters = new Dictionary<string, string> { ["{FunctionName}"] = functionName },
                Query = query,
                Headers = headers,
                Body = Encoding.UTF8.GetBytes(string.IsNullOrEmpty(inputJson) ? "{}" : inputJson),
                ContentType = JsonContentType,
            },
            cancellationToken).ConfigureAwait(false);
        return responseHeaders.TryGetValues(DurableExecutionArnHeader, out var values) && values.FirstOrDefault() is { Length: > 0 } arn
            ? arn
            : throw new CheckpointException(
                $"Invoke of '{functionName}' answered without {DurableExecutionArnHeader}: the function is not a durable function (no DurableConfig).",
                "InvalidResponse",
                0);
    }

    /// <summary>SendDurableExecutionCallbackSuccess: completes a callback with a raw result (at most 262,144 bytes).</summary>
    /// <param name="callbackId">The callback id from the CALLBACK operation.</param>
    /// <param name="result">The result bytes, sent as the raw request body.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the service accepted the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The result is larger than <see cref="MaxCallbackResultBytes"/>.</exception>
    /// <exception cref="CheckpointException">The service rejected the request (for example CallbackTimeoutException) or could not be reached.</exception>
    public Task SendCallbackSuccessAsync(string callbackId, byte[] result, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callbackId);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Length > MaxCallbackResultBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(result), result.Length, $"A callback result is at most {MaxCallbackResultBytes} bytes.");
        }

        return SendAsync<JsonElement?>(
            new RestRequest
            {
                OperationName = "SendDurableExecutionCallbackSuccess",
                Method = HttpMethod.Post,
                PathTemplate = ApiVersionPath + "/durable-execution-callbacks/{CallbackId}/succeed",
                PathParameters = Callback(callbackId),
                Body = result,
                ContentType = BinaryContentType,
            },
            cancellationToken);
    }

    /// <summary>SendDurableExecutionCallbackSuccess with a text result (typically JSON), sent as UTF-8.</summary>
    /// <param name="callbackId">The callback id from the CALLBACK operation.</param>
    /// <param name="result">The result text.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the service accepted the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The UTF-8 result is larger than <see cref="MaxCallbackResultBytes"/>.</exception>
    /// <exception cref="CheckpointException">The service rejected the request or could not be reached.</exception>
    public Task SendCallbackSuccessAsync(string callbackId, string result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return SendCallbackSuccessAsync(callbackId, Encoding.UTF8.GetBytes(result), cancellationToken);
    }

    /// <summary>SendDurableExecutionCallbackFailure: completes a callback with an error (sent as the bare ErrorObject body).</summary>
    /// <param name="callbackId">The callback id from the CALLBACK operation.</param>
    /// <param name="error">The error.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the service accepted the failure.</returns>
    /// <exception cref="CheckpointException">The service rejected the request or could not be reached.</exception>
    public Task SendCallbackFailureAsync(string callbackId, ErrorObject error, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callbackId);
        ArgumentNullException.ThrowIfNull(error);
        return SendAsync<JsonElement?>(
            new RestRequest
            {
                OperationName = "SendDurableExecutionCallbackFailure",
                Method = HttpMethod.Post,
                PathTemplate = ApiVersionPath + "/durable-execution-callbacks/{CallbackId}/fail",
                PathParameters = Callback(callbackId),
                Body = JsonSerializer.SerializeToUtf8Bytes(error, WireJson.Info<ErrorObject>(WireJson.Rest)), // Error is the HTTP payload: no wrapper
                ContentType = JsonContentType,
            },
            cancellationToken);
    }

    /// <summary>SendDurableExecutionCallbackHeartbeat: resets a callback's heartbeat timeout.</summary>
    /// <param name="callbackId">The callback id from the CALLBACK operation.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the service accepted the heartbeat.</returns>
    /// <exception cref="CheckpointException">The service rejected the request or could not be reached.</exception>
    public Task SendCallbackHeartbeatAsync(string callbackId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callbackId);
        return SendAsync<JsonElement?>(
            new RestRequest
            {
                OperationName = "SendDurableExecutionCallbackHeartbeat",
                Method = HttpMethod.Post,
                PathTemplate = ApiVersionPath + "/durable-execution-callbacks/{CallbackId}/heartbeat",
                PathParameters = Callback(callbackId),
            },
            cancellationToken);
    }

    /// <summary>GetDurableExecution: the status, input and outcome of an execution.</summary>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The execution.</returns>
    /// <exception cref="CheckpointException">The service rejected the request (for example ResourceNotFoundException, 404) or could not be reached.</exception>
    public Task<GetDurableExecutionResponse> GetDurableExecutionAsync(string durableExecutionArn, CancellationToken cancellationToken = default)
        => GetDurableExecutionAsync(durableExecutionArn, includeExecutionData: null, cancellationToken);

    /// <summary>GetDurableExecution with <c>IncludeExecutionData</c>: <see langword="false"/> leaves out the input, result and
    /// error payloads (the error keeps its type), and the response's <c>ExecutionDataIncluded</c> says so.</summary>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <param name="includeExecutionData">Whether payloads are included (the service default is <see langword="true"/>).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The execution.</returns>
    /// <exception cref="CheckpointException">The service rejected the request (for example ResourceNotFoundException, 404) or could not be reached.</exception>
    public Task<GetDurableExecutionResponse> GetDurableExecutionAsync(string durableExecutionArn, bool includeExecutionData, CancellationToken cancellationToken = default)
        => GetDurableExecutionAsync(durableExecutionArn, (bool?)includeExecutionData, cancellationToken);

    private async Task<GetDurableExecutionResponse> GetDurableExecutionAsync(string durableExecutionArn, bool? includeExecutionData, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(durableExecutionArn);
        var query = new List<KeyValuePair<string, string>>();
        AddIf(query, "IncludeExecutionData", includeExecutionData);
        var response = await SendAsync<GetDurableExecutionResponse>(
            new RestRequest
            {
                OperationName = "GetDurableExecution",
                Method = HttpMethod.Get,
                PathTemplate = ApiVersionPath + "/durable-executions/{DurableExecutionArn}",
                PathParameters = Arn(durableExecutionArn),
                Query = query,
            },
            cancellationToken).ConfigureAwait(false);
        return response ?? new GetDurableExecutionResponse();
    }

    /// <summary>GetDurableExecutionHistory: one page of an execution's history events.</summary>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <param name="includeExecutionData">Whether payloads (inputs, results, errors) are included.</param>
    /// <param name="maxItems">The page size (0–1000), or <see langword="null"/> for the service default (100).</param>
    /// <param name="marker">The marker of the page to read, or <see langword="null"/> for the first page.</param>
    /// <param name="reverseOrder">Newest first when <see langword="true"/>; <see langword="null"/> for the service default.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page.</returns>
    /// <exception cref="CheckpointException">The service rejected the request or could not be reached.</exception>
    public async Task<GetDurableExecutionHistoryResponse> GetDurableExecutionHistoryAsync(
        string durableExecutionArn,
        bool? includeExecutionData = null,
        int? maxItems = null,
        string? marker = null,
        bool? reverseOrder = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(durableExecutionArn);
        var query = new List<KeyValuePair<string, string>>();
        AddIf(query, "IncludeExecutionData", includeExecutionData);
        AddIf(query, "MaxItems", maxItems);
        AddIf(query, "Marker", marker);
        AddIf(query, "ReverseOrder", reverseOrder);
        var response = await SendAsync<GetDurableExecutionHistoryResponse>(
            new RestRequest
            {
                OperationName = "GetDurableExecutionHistory",
                Method = HttpMethod.Get,
                PathTemplate = ApiVersionPath + "/durable-executions/{DurableExecutionArn}/history",
                PathParameters = Arn(durableExecutionArn),
                Query = query,
            },
            cancellationToken).ConfigureAwait(false);
        return response ?? new GetDurableExecutionHistoryResponse();
    }

    /// <summary>StopDurableExecution: stops a running execution (the error, if any, is sent as the bare ErrorObject body).</summary>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <param name="error">The error to record, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>When the execution was stopped.</returns>
    /// <exception cref="CheckpointException">The service rejected the request or could not be reached.</exception>
    public async Task<StopDurableExecutionResponse> StopDurableExecutionAsync(
        string durableExecutionArn,
        ErrorObject? error = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(durableExecutionArn);
        var response = await SendAsync<StopDurableExecutionResponse>(
            new RestRequest
            {
                OperationName = "StopDurableExecution",
                Method = HttpMethod.Post,
                PathTemplate = ApiVersionPath + "/durable-executions/{DurableExecutionArn}/stop",
                PathParameters = Arn(durableExecutionArn),
                // Error is the HTTP payload: the body is the bare ErrorObject, or {} when there is none.
                Body = error is null ? "{}"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(error, WireJson.Info<ErrorObject>(WireJson.Rest)),
                ContentType = JsonContentType,
            },
            cancellationToken).ConfigureAwait(false);
        return response ?? new StopDurableExecutionResponse();
    }

    /// <summary>ListDurableExecutionsByFunction: one page of a function's executions.</summary>
    /// <param name="functionName">The function name or ARN.</param>
    /// <param name="query">Filters and paging, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page.</returns>
    /// <exception cref="CheckpointException">The service rejected the request or could not be reached.</exception>
    public async Task<ListDurableExecutionsByFunctionResponse> ListDurableExecutionsByFunctionAsync(
        string functionName,
        ListDurableExecutionsByFunctionQuery? query = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(functionName);
        query ??= new ListDurableExecutionsByFunctionQuery();
        var q = new List<KeyValuePair<string, string>>();
        AddIf(q, "Qualifier", query.Qualifier);
        AddIf(q, "DurableExecutionName", query.DurableExecutionName);
        foreach (var status in query.Statuses ?? [])
        {
            q.Add(new("Statuses", UpperSnakeEnumConverter<ExecutionStatus>.ToToken(status)));
        }

        AddIf(q, "StartedAfter", query.StartedAfter);
        AddIf(q, "StartedBefore", query.StartedBefore);
        AddIf(q, "ReverseOrder", query.ReverseOrder);
        AddIf(q, "Marker", query.Marker);
        AddIf(q, "MaxItems", query.MaxItems);
        var response = await SendAsync<ListDurableExecutionsByFunctionResponse>(
            new RestRequest
            {
                OperationName = "ListDurableExecutionsByFunction",
                Method = HttpMethod.Get,
                PathTemplate = ApiVersionPath + "/functions/{FunctionName}/durable-executions",
                PathParameters = new Dictionary<string, string> { ["{FunctionName}"] = functionName },
                Query = q,
            },
            cancellationToken).ConfigureAwait(false);
        return response ?? new ListDurableExecutionsByFunctionResponse();
    }

    /// <summary>Releases the HTTP client the instance created (a client passed in the options is left open).</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        _credentialsLock.Dispose();
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(ResolvedClientSettings settings)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = settings.TimeProvider };
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                MaxDelay = settings.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context.CancellationToken)),
            });
        }

        if (settings.RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(settings.RequestTimeout);
        }

        return builder.Build();
    }

    /// <summary>429, 5xx, network errors and attempt timeouts are transient; everything else (other 4xx included) is not.</summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome, CancellationToken callerToken)
    {
        if (outcome.Exception is { } ex)
        {
            return ex switch
            {
                HttpRequestException => true,
                TimeoutRejectedException => true,
                OperationCanceledException => !callerToken.IsCancellationRequested, // an HttpClient.Timeout, not the caller
                IOException => true,
                _ => false,
            };
        }

        var status = (int)outcome.Result!.StatusCode;
        return status == 429 || status >= 500;
    }

    private async Task<T?> SendAsync<T>(RestRequest request, CancellationToken cancellationToken)
    {
        var (_, body) = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return default;
        }

        try
        {
            return JsonSerializer.Deserialize(body, WireJson.Info<T>(WireJson.Rest));
        }
        catch (JsonException ex)
        {
            // A garbled success body is treated like a transport error: retrying the invocation is safe, failing is not.
            throw new CheckpointException(
                $"{request.OperationName} returned a response that is not valid JSON: {ex.Message}",
                "InvalidResponse",
                0,
                ex);
        }
    }

    /// <summary>Sends a request through the retry pipeline; a non-success status becomes a <see cref="CheckpointException"/>.</summary>
    private async Task<(HttpResponseHeaders Headers, byte[] Body)> SendCoreAsync(RestRequest request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                static async (state, ct) =>
                {
                    using var message = await state.Client.CreateMessageAsync(state.Request, ct).ConfigureAwait(false);
                    return await state.Client._http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
                },
                (Client: this, Request: request),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException ex)
        {
            throw new CheckpointException(
                $"{request.OperationName} timed out after {_settings.RequestTimeout.TotalSeconds:0.###} s ({Attempts} attempts).",
                "RequestTimeout",
                0,
                ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            throw new CheckpointException(
                $"{request.OperationName} could not reach {_settings.Endpoint.GetLeftPart(UriPartial.Authority)} ({Attempts} attempts): {ex.Message}",
                null,
                0,
                ex);
        }
        catch (AmazonClientException ex)
        {
            // Credential resolution or signing failed (for example no credentials in the chain, or instance metadata down).
            throw new CheckpointException($"{request.OperationName} could not be signed: {ex.Message}", "CredentialsUnavailable", 0, ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw ServiceErrorParser.ToException(
                    request.OperationName,
                    response.StatusCode,
                    ServiceErrorParser.ReadErrorTypeHeader(response),
                    body);
            }

            return (response.Headers, body);
        }
    }

    private int Attempts => _settings.MaxRetries + 1;

    private async Task<HttpRequestMessage> CreateMessageAsync(RestRequest request, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(request.Method, request.BuildUri(_uriPrefix));
        try
        {
            // Added unparsed (the same bytes on the wire as typed header values, without building them for every request).
            message.Headers.TryAddWithoutValidation("User-Agent", UserAgentHeader.Value);
            message.Headers.TryAddWithoutValidation("Accept", JsonContentType);
            foreach (var (name, value) in request.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            if (request.Body is not null)
            {
                message.Content = new ByteArrayContent(request.Body);
                if (request.ContentType is not null)
                {
                    message.Content.Headers.ContentType = new MediaTypeHeaderValue(request.ContentType);
                }
            }

            if (_signer is not null)
            {
                var credentials = await ResolveCredentialsAsync(cancellationToken).ConfigureAwait(false);
                var immutable = await credentials.GetCredentialsAsync().ConfigureAwait(false);
                if (immutable is not null)
                {
                    var now = _settings.TimeProvider.GetUtcNow().UtcDateTime;
                    foreach (var (name, value) in _signer.Sign(request, _settings.Endpoint, immutable, now))
                    {
                        message.Headers.TryAddWithoutValidation(name, value);
                    }
                }
            }

            return message;
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    private async ValueTask<AWSCredentials> ResolveCredentialsAsync(CancellationToken cancellationToken)
    {
        if (_credentials is { } known)
        {
            return known;
        }

        await _credentialsLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _credentials ??= await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(null).ConfigureAwait(false);
        }
        finally
        {
            _credentialsLock.Release();
        }
    }

    private static Dictionary<string, string> Arn(string arn) => new() { ["{DurableExecutionArn}"] = arn };

    private static Dictionary<string, string> Callback(string callbackId) => new() { ["{CallbackId}"] = callbackId };

    private static void AddIf(List<KeyValuePair<string, string>> query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Add(new(name, value));
        }
    }

    private static void AddIf(List<KeyValuePair<string, string>> query, string name, bool? value)
    {
        if (value is { } v)
        {
            query.Add(new(name, v ? "true" : "false"));
        }
    }

    private static void AddIf(List<KeyValuePair<string, string>> query, string name, int? value)
    {
        if (value is { } v)
        {
            query.Add(new(name, v.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static void AddIf(List<KeyValuePair<string, string>> query, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            // rest-json serializes query-string timestamps as ISO 8601.
            query.Add(new(name, v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)));
        }
    }

    internal sealed record CheckpointRequestBody
    {
        [JsonPropertyName("CheckpointToken")]
        public required string CheckpointToken { get; init; }

        [JsonPropertyName("Updates")]
        public required IReadOnlyList<OperationUpdate> Updates { get; init; }

        [JsonPropertyName("ClientToken")]
        public string? ClientToken { get; init; }
    }

    internal sealed record CheckpointResponseBody
    {
        [JsonPropertyName("CheckpointToken")]
        public string? CheckpointToken { get; init; }

        [JsonPropertyName("NewExecutionState")]
        public ExecutionState? NewExecutionState { get; init; }
    }
}
