using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Durable.Fluent.Payloads;

/// <summary>
/// The small JSON document a checkpoint holds in place of an offloaded payload. Version 1, exactly these members in this
/// order:
/// <code>{"durableOffload":1,"store":"file","key":"&lt;execution key&gt;/&lt;operation id&gt;/&lt;sha256&gt;","bytes":2097154,"sha256":"&lt;64 hex&gt;"}</code>
/// <c>durableOffload</c> is the format version; <c>store</c> the <see cref="IPayloadStore.Name"/> that holds the payload;
/// <c>key</c> its key there; <c>bytes</c> and <c>sha256</c> the UTF-8 size and lowercase hex SHA-256 of the payload, checked on
/// every read. A payload that begins with <c>{"durableOffload":</c> is treated as a reference, so that prefix is reserved.
/// </summary>
public sealed record PayloadReference
{
    /// <summary>The current format version.</summary>
    public const int CurrentVersion = 1;

    private const string Prefix = "{\"durableOffload\":";

    /// <summary>The format version.</summary>
    public required int Version { get; init; }

    /// <summary>The <see cref="IPayloadStore.Name"/> of the store holding the payload.</summary>
    public required string Store { get; init; }

    /// <summary>The payload's key in that store.</summary>
    public required string Key { get; init; }

    /// <summary>The payload's UTF-8 size in bytes.</summary>
    public required long Bytes { get; init; }

    /// <summary>The payload's SHA-256, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Whether <paramref name="payload"/> is a reference (cheap: a prefix check, no parsing).</summary>
    /// <param name="payload">A checkpointed payload.</param>
    /// <returns>True for a reference.</returns>
    public static bool IsReference(string? payload)
        => payload is { Length: > 17 } && payload[0] == '{' && payload.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The key prefix of every payload an execution offloads: the first 32 hex characters of the SHA-256 of its ARN.</summary>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <returns>The execution key.</returns>
    public static string ExecutionKey(string durableExecutionArn)
    {
        ArgumentException.ThrowIfNullOrEmpty(durableExecutionArn);
        return Hex(SHA256.HashData(Encoding.UTF8.GetBytes(durableExecutionArn)))[..32];
    }

    /// <summary>Parses a reference.</summary>
    /// <param name="payload">The checkpointed payload.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="PayloadStoreException">The payload starts like a reference but is not a valid version-1 reference.</exception>
    public static PayloadReference Parse(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            var version = root.GetProperty("durableOffload").GetInt32();
            if (version != CurrentVersion)
            {
                throw Invalid(payload, $"format version {version} is not supported (this library reads version {CurrentVersion}); upgrade Durable.Fluent");
            }

            return new PayloadReference
            {
                Version = version,
                Store = root.GetProperty("store").GetString() ?? throw Invalid(payload, "\"store\" is null"),
                Key = root.GetProperty("key").GetString() ?? throw Invalid(payload, "\"key\" is null"),
                Bytes = root.GetProperty("bytes").GetInt64(),
                Sha256 = root.GetProperty("sha256").GetString() ?? throw Invalid(payload, "\"sha256\" is null"),
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Invalid(payload, ex.Message, ex);
        }
    }

    /// <summary>The reference as its JSON document (the checkpointed text).</summary>
    /// <returns>The JSON.</returns>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(192);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("durableOffload", Version);
            w.WriteString("store", Store);
            w.WriteString("key", Key);
            w.WriteNumber("bytes", Bytes);
            w.WriteString("sha256", Sha256);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Offloads a payload yourself and returns the reference to send instead of it — for example a callback sender whose
    /// result exceeds the 256 KiB callback limit, or a client starting an execution with a large input. A workflow with the
    /// same store configured reads it back transparently. The key is <c>{keyPrefix}/{sha256}</c>; deleting it is yours.
    /// </summary>
    /// <param name="store">The store the workflow reads from.</param>
    /// <param name="keyPrefix">A prefix of your choice: 1–200 characters of <c>[0-9A-Za-z-_./]</c>, not starting or ending with <c>/</c>.</param>
    /// <param name="payload">The payload (what the workflow's serializer reads, e.g. JSON).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The reference JSON.</returns>
    public static async Task<string> WriteAsync(IPayloadStore store, string keyPrefix, string payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(payload);
        ValidatePrefix(keyPrefix);
        var bytes = Encoding.UTF8.GetBytes(payload);
        var sha = Hex(SHA256.HashData(bytes));
        var reference = new PayloadReference { Version = CurrentVersion, Store = store.Name, Key = $"{keyPrefix}/{sha}", Bytes = bytes.Length, Sha256 = sha };
        await store.WriteAsync(reference.Key, bytes, cancellationToken).ConfigureAwait(false);
        return reference.ToJson();
    }

    /// <summary>
    /// Returns <paramref name="payloadOrReference"/> itself, or, when it is a reference, the payload it points to, checked
    /// against its size and SHA-256 — for example to read an execution result that was offloaded.
    /// </summary>
    /// <param name="store">The store named in the reference.</param>
    /// <param name="payloadOrReference">A payload or a reference.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="PayloadStoreException">The store is not the one named in the reference, or the payload is missing or altered.</exception>
    public static async Task<string?> ReadAsync(IPayloadStore store, string? payloadOrReference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!IsReference(payloadOrReference))
        {
            return payloadOrReference;
        }

        var reference = Parse(payloadOrReference!);
        return await reference.ReadFromAsync(store, "payload", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads and checks the payload this reference points to.</summary>
    internal async Task<string> ReadFromAsync(IPayloadStore store, string what, CancellationToken cancellationToken)
    {
        if (!string.Equals(store.Name, Store, StringComparison.Ordinal))
        {
            throw new PayloadStoreException(
                $"The {what} was offloaded to payload store '{Store}' (key {Key}), but the configured store is '{store.Name}'. Configure the store that wrote it.",
                PayloadStoreException.WrongStore,
                400);
        }

        byte[]? bytes;
        try
        {
            bytes = await store.ReadAsync(Key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw PayloadStoreException.Transient($"Reading the {what} from payload store '{Store}' (key {Key}) failed: {ex.Message}", ex);
        }

        if (bytes is null)
        {
            throw new PayloadStoreException(
                $"The {what} offloaded to payload store '{Store}' under key {Key} is not there any more. Offloaded payloads must be kept as long as the execution (see PayloadStoreExtensions.DeleteExecutionAsync).",
                PayloadStoreException.NotFound,
                404);
        }

        if (bytes.Length != Bytes || !string.Equals(Hex(SHA256.HashData(bytes)), Sha256, StringComparison.Ordinal))
        {
            throw new PayloadStoreException(
                $"The {what} under key {Key} in payload store '{Store}' does not match its reference ({bytes.Length:N0} bytes read, {Bytes:N0} expected, or a different SHA-256): it was changed after it was written.",
                PayloadStoreException.IntegrityMismatch,
                422);
        }

        return Encoding.UTF8.GetString(bytes);
    }

    internal static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private static void ValidatePrefix(string keyPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        if (keyPrefix.Length > 200 || keyPrefix[0] == '/' || keyPrefix[^1] == '/' || keyPrefix.Contains("..", StringComparison.Ordinal)
            || !keyPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/'))
        {
            throw new ArgumentException($"Key prefix '{keyPrefix}' is invalid: use 1–200 characters of [0-9A-Za-z-_./], no '..', not starting or ending with '/'.", nameof(keyPrefix));
        }
    }

    private static PayloadStoreException Invalid(string payload, string why, Exception? inner = null)
        => new($"A checkpointed payload starts like an offload reference but is not a valid one ({why}): {(payload.Length > 200 ? payload[..200] + "…" : payload)}", PayloadStoreException.InvalidReference, 400, inner);
}
