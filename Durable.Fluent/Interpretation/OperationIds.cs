using System.Security.Cryptography;
using System.Text;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Deterministic operation ids: SHA-256 (lowercase hex, 64 characters) of <c>"&lt;n&gt;"</c> at the root or
/// <c>"&lt;parentId&gt;-&lt;n&gt;"</c> in a child context, where n counts the context's operations from 1 in call order.
/// </summary>
internal static class OperationIds
{
    public static string Create(string? prefix, int ordinal)
    {
        Span<byte> key = stackalloc byte[(prefix?.Length ?? 0) + 12];
        var length = 0;
        if (prefix is not null)
        {
            length += Encoding.ASCII.GetBytes(prefix, key);
            key[length++] = (byte)'-';
        }

        ordinal.TryFormat(key[length..], out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        length += written;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(key[..length], hash);
        return Convert.ToHexString(hash).ToLowerInvariant();
    }
}
