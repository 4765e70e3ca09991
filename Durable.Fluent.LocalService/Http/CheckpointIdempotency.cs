using System.Collections.Concurrent;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// The ClientToken cache of CheckpointDurableExecution: a repeated (ClientToken, CheckpointToken) pair within 15 minutes
/// is answered with the cached response.
/// </summary>
internal sealed class CheckpointIdempotency(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private readonly ConcurrentDictionary<(string Arn, string ClientToken, string CheckpointToken), (DateTimeOffset At, byte[] Body)> _responses = new();

    /// <summary>The cached response body for the request, if one is still in the window.</summary>
    public byte[]? Find(string arn, string clientToken, string checkpointToken)
        => _responses.TryGetValue((arn, clientToken, checkpointToken), out var cached) && time.GetUtcNow() - cached.At < Window ? cached.Body : null;

    /// <summary>Remembers a successful response and forgets the expired ones.</summary>
    public void Remember(string arn, string clientToken, string checkpointToken, byte[] body)
    {
        var now = time.GetUtcNow();
        foreach (var old in _responses.Where(e => now - e.Value.At >= Window).Select(e => e.Key).ToList())
        {
            _responses.TryRemove(old, out _);
        }

        _responses[(arn, clientToken, checkpointToken)] = (now, body);
    }
}
