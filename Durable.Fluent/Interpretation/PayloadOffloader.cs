using System.Security.Cryptography;
using System.Text;
using Durable.Fluent.Diagnostics;
using Durable.Fluent.Payloads;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Payload offload for one run: wraps serialized payloads on their way to a checkpoint (above the threshold they go to the
/// store and a <see cref="PayloadReference"/> is checkpointed instead) and unwraps references read back from the log. The
/// serializers are untouched: this works on the text they produce and consume.
/// </summary>
internal sealed class PayloadOffloader(PayloadOffloadOptions options, string arn)
{
    private readonly string _executionKey = PayloadReference.ExecutionKey(arn);

    public IPayloadStore Store => options.Store;

    /// <summary>The payload itself, or — when its UTF-8 size is above the threshold — the reference to where it was stored.</summary>
    public async ValueTask<string?> OffloadAsync(string? payload, string operationId, CancellationToken cancellationToken)
    {
        // At most 3 UTF-8 bytes per UTF-16 code unit: most payloads are ruled out without encoding them.
        if (string.IsNullOrEmpty(payload) || (long)payload.Length * 3 <= options.ThresholdBytes)
        {
            return payload;
        }

        var bytes = Encoding.UTF8.GetBytes(payload);
        if (bytes.Length <= options.ThresholdBytes)
        {
            return payload;
        }

        var sha = PayloadReference.Hex(SHA256.HashData(bytes));
        var reference = new PayloadReference
        {
            Version = PayloadReference.CurrentVersion,
            Store = options.Store.Name,
            Key = $"{_executionKey}/{KeyPart(operationId)}/{sha}",
            Bytes = bytes.Length,
            Sha256 = sha,
        };
        try
        {
            await options.Store.WriteAsync(reference.Key, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw PayloadStoreException.Transient($"Offloading the {bytes.Length:N0}-byte payload of operation {operationId} to payload store '{options.Store.Name}' (key {reference.Key}) failed: {ex.Message}", ex);
        }

        Count("write", bytes.Length);
        return reference.ToJson();
    }

    /// <summary>Reads back the payload a reference points to.</summary>
    public async ValueTask<string> ResolveAsync(PayloadReference reference, string what, CancellationToken cancellationToken)
    {
        var text = await reference.ReadFromAsync(options.Store, what, cancellationToken).ConfigureAwait(false);
        Count("read", reference.Bytes);
        return text;
    }

    private static void Count(string direction, long bytes)
    {
        var tag = new KeyValuePair<string, object?>(DurableDiagnostics.Attributes.PayloadDirection, direction);
        Instruments.PayloadOffloads.Add(1, tag);
        Instruments.PayloadOffloadBytes.Add(bytes, tag);
    }

    /// <summary>Operation ids are hex or service-made; anything outside the key alphabet is hashed.</summary>
    private static string KeyPart(string operationId)
        => operationId.Length is > 0 and <= 128 && operationId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? operationId
            : PayloadReference.Hex(SHA256.HashData(Encoding.UTF8.GetBytes(operationId)))[..32];
}
