using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService.Http;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.LocalService;

/// <summary>
/// The checkpoint port of a function the service runs in its own process while
/// <see cref="LocalDurableServiceOptions.InvokeOverHttp"/> is off. It makes the calls the HTTP routes make, with every check
/// that the HTTP client and the routes make before them, and fails the way the HTTP client fails, so a workflow cannot
/// tell the two apart by what it is allowed to do or by the errors it gets — only the JSON and the loopback HTTP are
/// skipped:
/// <list type="bullet">
/// <item>the client's argument checks (an empty ARN or token, null updates: <see cref="ArgumentException"/>) and
/// cancellation, and what its JSON writer does to a string that is not valid UTF-16 (a lone surrogate becomes U+FFFD);</item>
/// <item>the route's request size limit, <see cref="LocalDurableServiceOptions.MaxRequestBodyBytes"/>, measured on the
/// JSON body the client would send (413 RequestTooLargeException);</item>
/// <item>the token format, null updates, every update rule, a stopped or ended execution, stale tokens, markers: the
/// engine, the same code the routes reach;</item>
/// <item>a refusal surfaces as the <see cref="CheckpointException"/> the client builds from the error response (the
/// service's error type and status, the same message), and an unexpected failure as its 500 ServiceException.</item>
/// </list>
/// What it does not reproduce is a transport: no connection faults, so nothing for the client's retries to retry.
/// </summary>
internal sealed class InProcessCheckpointStore(LocalDurableService service) : ICheckpointStore
{
    /// <summary>
    /// Room for everything in one update's JSON besides its strings: member names, enum tokens, numbers, punctuation
    /// (well under 1 KiB today; <c>InProcessCheckpointStoreTests</c> checks the bound against the serializer).
    /// </summary>
    private const int UpdateStructureBytes = 1024;

    /// <inheritdoc />
    public async Task<CheckpointResult> CheckpointAsync(string durableExecutionArn, string checkpointToken, IReadOnlyList<OperationUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(durableExecutionArn);
        ArgumentException.ThrowIfNullOrEmpty(checkpointToken);
        ArgumentNullException.ThrowIfNull(updates);
        cancellationToken.ThrowIfCancellationRequested();
        updates = AsSent(updates);
        try
        {
            var limit = service.Options.MaxRequestBodyBytes;
            if (UpperBoundBytes(checkpointToken, updates) > limit && RequestBytes(checkpointToken, updates) > limit)
            {
                throw ApiError.TooLarge(limit);
            }

            service.CountCheckpointRequest();
            // Waits for the batch to be durable without holding a thread (the SQLite store's group commit).
            return await service.Engine.CheckpointAsync(durableExecutionArn, checkpointToken, updates).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw Refusal(ex, "CheckpointDurableExecution", durableExecutionArn);
        }
    }

    /// <inheritdoc />
    public Task<ExecutionState> GetStateAsync(string durableExecutionArn, string checkpointToken, string marker, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(durableExecutionArn);
        ArgumentException.ThrowIfNullOrEmpty(checkpointToken);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // The page size the HTTP client asks for.
            return Task.FromResult(service.Engine.GetState(durableExecutionArn, checkpointToken, marker, LambdaDurableExecutionClient.StateMaxItems));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw Refusal(ex, "GetDurableExecutionState", durableExecutionArn);
        }
    }

    /// <summary>
    /// The size of the JSON body the HTTP client would send for this request (CheckpointToken and Updates, no ClientToken),
    /// serialized exactly as it serializes it.
    /// </summary>
    internal static long RequestBytes(string checkpointToken, IReadOnlyList<OperationUpdate> updates)
        => JsonSerializer.SerializeToUtf8Bytes(
            new LambdaDurableExecutionClient.CheckpointRequestBody { CheckpointToken = checkpointToken, Updates = updates },
            WireJson.Info<LambdaDurableExecutionClient.CheckpointRequestBody>(WireJson.Rest)).LongLength;

    /// <summary>
    /// A cheap upper bound of <see cref="RequestBytes"/>, so the JSON is written only for a request that might be over the
    /// limit: a string character is at most 6 bytes once escaped (<c>\uXXXX</c>), and the rest of an update is under
    /// <see cref="UpdateStructureBytes"/>.
    /// </summary>
    internal static long UpperBoundBytes(string checkpointToken, IReadOnlyList<OperationUpdate> updates)
    {
        long chars = checkpointToken.Length;
        long structure = 64; // {"CheckpointToken":"","Updates":[]}
        foreach (var u in updates)
        {
            structure += UpdateStructureBytes;
            if (u is null)
            {
                continue;
            }

            chars += Length(u.Id) + Length(u.ParentId) + Length(u.Name) + Length(u.SubType) + Length(u.Payload);
            if (u.Error is { } error)
            {
                chars += Length(error.ErrorType) + Length(error.ErrorMessage) + Length(error.ErrorData);
                foreach (var line in error.StackTrace ?? [])
                {
                    chars += Length(line);
                    structure += 4;
                }
            }

            if (u.ChainedInvokeOptions is { } invoke)
            {
                chars += Length(invoke.FunctionName) + Length(invoke.TenantId) + Length(invoke.XAmznTraceId);
            }
        }

        return structure + (6 * chars);
    }

    private static long Length(string? s) => s?.Length ?? 0;

    /// <summary>
    /// The updates as the service receives them through JSON: a lone surrogate cannot be encoded, so the HTTP client's JSON
    /// writer sends U+FFFD in its place, and so does this. Only an update with one is copied.
    /// </summary>
    internal static IReadOnlyList<OperationUpdate> AsSent(IReadOnlyList<OperationUpdate> updates)
    {
        List<OperationUpdate>? copy = null;
        for (var i = 0; i < updates.Count; i++)
        {
            var u = updates[i];
            if (u is not null && !IsWellFormed(u))
            {
                copy ??= [.. updates];
                copy[i] = u with
                {
                    Id = WellFormed(u.Id)!,
                    ParentId = WellFormed(u.ParentId),
                    Name = WellFormed(u.Name),
                    SubType = WellFormed(u.SubType),
                    Payload = WellFormed(u.Payload),
                    Error = u.Error is { } e
                        ? e with { ErrorType = WellFormed(e.ErrorType), ErrorMessage = WellFormed(e.ErrorMessage), ErrorData = WellFormed(e.ErrorData), StackTrace = e.StackTrace?.Select(l => WellFormed(l)!).ToList() }
                        : null,
                    ChainedInvokeOptions = u.ChainedInvokeOptions is { } c
                        ? c with { FunctionName = WellFormed(c.FunctionName), TenantId = WellFormed(c.TenantId), XAmznTraceId = WellFormed(c.XAmznTraceId) }
                        : null,
                };
            }
        }

        return copy ?? updates;
    }

    private static bool IsWellFormed(OperationUpdate u)
        => IsWellFormed(u.Id) && IsWellFormed(u.ParentId) && IsWellFormed(u.Name) && IsWellFormed(u.SubType) && IsWellFormed(u.Payload)
            && (u.Error is not { } e || (IsWellFormed(e.ErrorType) && IsWellFormed(e.ErrorMessage) && IsWellFormed(e.ErrorData) && (e.StackTrace?.All(IsWellFormed) ?? true)))
            && (u.ChainedInvokeOptions is not { } c || (IsWellFormed(c.FunctionName) && IsWellFormed(c.TenantId) && IsWellFormed(c.XAmznTraceId)));

    /// <summary>Whether the string is valid UTF-16 (every surrogate in a pair); the common case, no surrogate at all, is one vectorized scan.</summary>
    private static bool IsWellFormed(string? s)
    {
        if (s is null || !s.AsSpan().ContainsAnyInRange('\ud800', '\udfff'))
        {
            return true;
        }

        var rest = s.AsSpan();
        while (!rest.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf16(rest, out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            rest = rest[used..];
        }

        return true;
    }

    /// <summary>The string with each lone surrogate replaced by U+FFFD (what a UTF-8 encoder with replacement writes).</summary>
    private static string? WellFormed(string? s) => IsWellFormed(s) ? s : System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(s!));

    /// <summary>What the HTTP client would throw for the error response the route would answer.</summary>
    private CheckpointException Refusal(Exception ex, string operation, string arn)
    {
        if (ApiError.IsUnexpected(ex))
        {
            service.Log.LogError(ex, "The local durable service failed to serve {Operation} of {Arn} (in-process)", operation, arn);
        }

        var error = ApiError.From(ex);
        return new CheckpointException(error.Message, error.ErrorType, error.Status);
    }
}
