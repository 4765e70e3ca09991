using System.Text;

namespace Durable.Fluent.Interpretation;

/// <summary>Size limits Durable.Fluent enforces itself, so an oversized payload fails clearly instead of being retried forever.</summary>
internal static class Limits
{
    /// <summary>Largest checkpointed payload of a step or callback result; a child, parallel or map result above it is replayed instead.</summary>
    public const int MaxCheckpointPayloadBytes = 256 * 1024;

    /// <summary>Largest payload the service stores (results, inputs).</summary>
    public const int MaxServicePayloadBytes = 6 * 1024 * 1024;

    /// <summary>Largest handler response (6 MiB minus 50 bytes); larger results are checkpointed.</summary>
    public const int MaxResponseBytes = (6 * 1024 * 1024) - 50;

    public static int Utf8Size(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);

    public static void EnsurePayload(string? payload, string? operationName, int limit = MaxCheckpointPayloadBytes)
    {
        if (payload is not null && payload.Length > limit / 4)
        {
            var size = Utf8Size(payload);
            if (size > limit)
            {
                throw new PayloadTooLargeException(operationName, size, limit);
            }
        }
    }
}
