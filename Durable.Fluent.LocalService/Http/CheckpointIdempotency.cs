using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// The ClientToken of CheckpointDurableExecution (idempotency within a 15-minute window), per execution. The first request
/// with a ClientToken is remembered with a fingerprint of what it asked (the checkpoint token and the updates, in their
/// canonical JSON) and its response. The same request again is answered with that response and applies nothing; a
/// different request under the same ClientToken is refused with 400 InvalidParameterValueException (an idempotency
/// conflict), so its updates are never dropped silently. Entries are forgotten in the order they were made once the window
/// has passed (on each new entry and on the service's retention sweep), so the cost does not grow with their number.
/// </summary>
internal sealed class CheckpointIdempotency(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private readonly ConcurrentDictionary<(string Arn, string ClientToken), Entry> _requests = new();
    private readonly Queue<((string Arn, string ClientToken) Key, Entry Entry)> _byAge = new();

    /// <summary>How many ClientToken answers are remembered.</summary>
    public int Count => _requests.Count;

    /// <summary>The fingerprint of a request: SHA-256 of the checkpoint token and the canonical JSON of the updates.</summary>
    public static byte[] Fingerprint(string checkpointToken, byte[] canonicalUpdates)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(checkpointToken));
        hash.AppendData([0]);
        hash.AppendData(canonicalUpdates);
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// The cached response when this exact request was answered within the window; <see langword="null"/> when the
    /// ClientToken is new (or expired).
    /// </summary>
    /// <exception cref="ApiError">The ClientToken was used for a different request within the window.</exception>
    public byte[]? Replay(string arn, string clientToken, byte[] fingerprint)
    {
        if (!_requests.TryGetValue((arn, clientToken), out var entry) || time.GetUtcNow() - entry.At >= Window)
        {
            return null;
        }

        return CryptographicOperations.FixedTimeEquals(entry.Fingerprint, fingerprint)
            ? entry.Response
            : throw ApiError.Invalid(
                $"ClientToken '{clientToken}' was already used for a different CheckpointDurableExecution request on this execution within the last 15 minutes (other updates or another checkpoint token): idempotency conflict. Send a new ClientToken with a new request.");
    }

    /// <summary>Remembers a successful response and forgets the expired ones.</summary>
    public void Remember(string arn, string clientToken, byte[] fingerprint, byte[] response)
    {
        ForgetExpired();
        var entry = new Entry(time.GetUtcNow(), fingerprint, response);
        lock (_byAge)
        {
            _requests[(arn, clientToken)] = entry;
            _byAge.Enqueue(((arn, clientToken), entry));
        }
    }

    /// <summary>Forgets the entries older than the window (oldest first; stops at the first one still inside it).</summary>
    public void ForgetExpired()
    {
        var now = time.GetUtcNow();
        lock (_byAge)
        {
            while (_byAge.TryPeek(out var oldest) && now - oldest.Entry.At >= Window)
            {
                _byAge.Dequeue();
                _requests.TryRemove(KeyValuePair.Create(oldest.Key, oldest.Entry)); // unless a newer entry replaced it
            }
        }
    }

    private sealed record Entry(DateTimeOffset At, byte[] Fingerprint, byte[] Response);
}
