using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Testing.Engine;

/// <summary>
/// Validates a checkpoint batch the way the service does, before anything is applied: allowed actions per type, legal
/// transitions, payload and error rules, ParentId, consistency with the existing operation, and limits.
/// </summary>
internal static class UpdateValidator
{
    private const int MaxErrorBytes = 32_768;
    private const int MaxPayloadBytes = 6_291_456;
    private const int MaxSeconds = 31_622_400;

    public static void Validate(ExecutionRecord rec, IReadOnlyList<OperationUpdate> updates)
    {
        var startedInBatch = new Dictionary<string, OperationUpdate>(updates.Count, StringComparer.Ordinal);
        var seenInBatch = new Dictionary<string, OperationAction>(updates.Count, StringComparer.Ordinal);
        for (var i = 0; i < updates.Count; i++)
        {
            var u = updates[i] ?? throw Invalid(i, "null", "An update is null.");
            if (string.IsNullOrEmpty(u.Id) || u.Id.Length > 64 || !IsIdLike(u.Id))
            {
                throw Invalid(i, u, "Id must be 1–64 characters of [a-zA-Z0-9-_].");
            }

            if (u.Name is { } name && (name.Length is < 1 or > 256 || !IsPrintableAscii(name)))
            {
                throw Invalid(i, u, "Name must be 1–256 printable ASCII characters.");
            }

            if (u.SubType is { } sub && (sub.Length is < 1 or > 32 || !IsIdLike(sub)))
            {
                throw Invalid(i, u, "SubType must be 1–32 characters of [a-zA-Z0-9-_].");
            }

            if (!Allowed(u.Type, u.Action))
            {
                throw Invalid(i, u, $"Action {Token(u.Action)} is not allowed for type {Token(u.Type)}.");
            }

            if (u.Payload is not null && u.Error is not null)
            {
                throw Invalid(i, u, "Payload and Error cannot both be set.");
            }

            if (u.Action == OperationAction.Fail && u.Payload is not null)
            {
                throw Invalid(i, u, "FAIL cannot carry a Payload.");
            }

            if (u.Action == OperationAction.Succeed && u.Error is not null)
            {
                throw Invalid(i, u, "SUCCEED cannot carry an Error.");
            }

            if (u.Payload is not null && System.Text.Encoding.UTF8.GetByteCount(u.Payload) > MaxPayloadBytes)
            {
                throw Invalid(i, u, $"Payload exceeds {MaxPayloadBytes:N0} bytes.");
            }

            if (u.Error is not null && JsonSerializer.SerializeToUtf8Bytes(u.Error, WireJson.Info<ErrorObject>(WireJson.Envelope)).Length >= MaxErrorBytes)
            {
                throw Invalid(i, u, $"Error must serialize to under {MaxErrorBytes:N0} bytes.");
            }

            if (u.Type == OperationType.Execution)
            {
                if (i != updates.Count - 1)
                {
                    throw Invalid(i, u, "An EXECUTION update must be the last update of its batch, and a batch may carry only one.");
                }

                continue;
            }

            if (u.ParentId is not null
                && !(rec.Ops.TryGetValue(u.ParentId, out var parent) && parent.Type == OperationType.Context)
                && !(startedInBatch.TryGetValue(u.ParentId, out var p) && p.Type == OperationType.Context))
            {
                throw Invalid(i, u, $"ParentId {u.ParentId} does not name an existing CONTEXT operation.");
            }

            if (seenInBatch.TryGetValue(u.Id, out var earlier)
                && !(earlier == OperationAction.Start && u.Action != OperationAction.Start && u.Type is OperationType.Step or OperationType.Context))
            {
                throw Invalid(i, u, "The same Id may appear twice in a batch only as START followed by a non-START of a STEP or CONTEXT.");
            }

            rec.Ops.TryGetValue(u.Id, out var existing);
            var status = existing?.Status;
            if (seenInBatch.ContainsKey(u.Id))
            {
                status = OperationStatus.Started;
            }

            if (existing is not null && (existing.Type != u.Type || existing.SubType != u.SubType || existing.Name != u.Name || existing.ParentId != u.ParentId))
            {
                throw Invalid(i, u, $"Inconsistent operation: Type, SubType, Name and ParentId must match the existing operation ({Token(existing.Type)}/{existing.SubType} '{existing.Name}').");
            }

            CheckTransition(i, u, status);
            CheckOptions(i, u);
            seenInBatch[u.Id] = u.Action;
            if (u.Action == OperationAction.Start)
            {
                startedInBatch[u.Id] = u;
            }
        }
    }

    private static void CheckTransition(int i, OperationUpdate u, OperationStatus? status)
    {
        switch (u.Type, u.Action)
        {
            case (OperationType.Step, OperationAction.Start):
                if (status is not null and not OperationStatus.Ready)
                {
                    throw Invalid(i, u, $"A STEP can be STARTed only when new or READY (it is {Token(status.Value)}).");
                }

                break;
            case (OperationType.Step, _):
                if (status is not null and not OperationStatus.Started and not OperationStatus.Ready)
                {
                    throw Invalid(i, u, $"A STEP can be closed or retried only from STARTED or READY (it is {Token(status.Value)}).");
                }

                break;
            case (_, OperationAction.Start):
                if (status is not null)
                {
                    throw Invalid(i, u, $"A {Token(u.Type)} cannot be STARTed twice.");
                }

                break;
            case (OperationType.Context, _):
            case (_, OperationAction.Cancel):
                if (status is not null and not OperationStatus.Started)
                {
                    throw Invalid(i, u, $"A {Token(u.Type)} can be {Token(u.Action)}ed only from STARTED (it is {Token(status.Value)}).");
                }

                break;
        }
    }

    private static void CheckOptions(int i, OperationUpdate u)
    {
        if (u.Type == OperationType.Step && u.Action == OperationAction.Retry
            && u.StepOptions?.NextAttemptDelaySeconds is not (>= 1 and <= MaxSeconds))
        {
            throw Invalid(i, u, $"RETRY requires StepOptions.NextAttemptDelaySeconds between 1 and {MaxSeconds:N0}.");
        }

        if (u.Type == OperationType.Wait && u.Action == OperationAction.Start
            && u.WaitOptions?.WaitSeconds is not (>= 1 and <= MaxSeconds))
        {
            throw Invalid(i, u, $"WAIT START requires WaitOptions.WaitSeconds between 1 and {MaxSeconds:N0}.");
        }

        if (u.Type == OperationType.Callback && u.Action == OperationAction.Start
            && (u.CallbackOptions?.TimeoutSeconds < 0 || u.CallbackOptions?.HeartbeatTimeoutSeconds < 0))
        {
            throw Invalid(i, u, "Callback timeouts must be ≥ 0 seconds (0 means none).");
        }

        if (u.Type == OperationType.ChainedInvoke && u.Action == OperationAction.Start
            && u.ChainedInvokeOptions?.FunctionName is not { Length: >= 1 and <= 256 })
        {
            throw Invalid(i, u, "CHAINED_INVOKE START requires ChainedInvokeOptions.FunctionName (1–256 characters).");
        }
    }

    private static bool Allowed(OperationType type, OperationAction action) => type switch
    {
        OperationType.Step => action is OperationAction.Start or OperationAction.Succeed or OperationAction.Fail or OperationAction.Retry,
        OperationType.Context => action is OperationAction.Start or OperationAction.Succeed or OperationAction.Fail,
        OperationType.Wait => action is OperationAction.Start or OperationAction.Cancel,
        OperationType.Callback => action is OperationAction.Start or OperationAction.Cancel,
        OperationType.ChainedInvoke => action is OperationAction.Start or OperationAction.Cancel,
        OperationType.Execution => action is OperationAction.Succeed or OperationAction.Fail,
        _ => false,
    };

    private static LocalEngineException Invalid(int index, string where, string message)
        => new("InvalidParameterValueException", 400, $"Invalid checkpoint {where}: {message}");

    // The location text is built only when an update is rejected (the engine validates every update of every checkpoint).
    private static LocalEngineException Invalid(int index, OperationUpdate u, string message)
        => Invalid(index, $"update #{index + 1} ({Token(u.Type)} {Token(u.Action)} {u.Id})", message);

    private static readonly System.Buffers.SearchValues<char> IdChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    // Vectorized: every update's id and parent id are checked, and the engine sees every update of a run.
    private static bool IsIdLike(string s) => !s.AsSpan().ContainsAnyExcept(IdChars);

    private static bool IsPrintableAscii(string s) => !s.AsSpan().ContainsAnyExceptInRange(' ', '~');

    private static string Token<T>(T value)
        where T : struct, Enum
        => UpperSnakeEnumConverter<T>.ToToken(value);
}
