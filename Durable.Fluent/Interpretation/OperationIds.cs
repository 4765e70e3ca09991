using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Durable.Fluent.Interpretation;

/// <summary>
/// Deterministic operation ids: SHA-256 (lowercase hex, 64 characters) of <c>"&lt;n&gt;"</c> at the root or
/// <c>"&lt;parentId&gt;-&lt;n&gt;"</c> in a child context, where n counts the context's operations from 1 in call order.
/// </summary>
/// <remarks>
/// The interpreter derives one id per operation on every replay, so this is the hottest function of replay. The keys are
/// at most ~80 ASCII bytes (two SHA-256 blocks): a managed, allocation-free SHA-256 over them costs a fraction of a
/// <see cref="System.Security.Cryptography.SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> call, which on Linux goes
/// through OpenSSL at about 2.5 µs per call. This is an id derivation, not a security use; the tests check it
/// bit-for-bit against the framework's SHA-256.
/// </remarks>
internal static class OperationIds
{
    // Root ids are the same for every execution (SHA-256 of "1", "2", ...): each is derived once per process and shared,
    // so replaying a long root chain allocates no id strings. 4,096 covers the 3,000-operation quota.
    private static readonly string?[] RootIds = new string?[4096];

    public static string Create(string? prefix, int ordinal)
    {
        if (prefix is null && (uint)ordinal < (uint)RootIds.Length)
        {
            return RootIds[ordinal] ??= Derive(null, ordinal);
        }

        return Derive(prefix, ordinal);
    }

    private static string Derive(string? prefix, int ordinal)
    {
        // The key is ASCII: ids are [0-9a-f] and the ordinal is decimal. Longer (non-id) prefixes take the framework path.
        var prefixLength = prefix?.Length ?? 0;
        if (prefixLength > 200)
        {
            return CreateSlow(prefix, ordinal);
        }

        Span<byte> key = stackalloc byte[prefixLength + 12];
        var length = 0;
        if (prefix is not null)
        {
            foreach (var c in prefix)
            {
                if (c > 0x7F)
                {
                    return CreateSlow(prefix, ordinal);
                }

                key[length++] = (byte)c;
            }

            key[length++] = (byte)'-';
        }

        ordinal.TryFormat(key[length..], out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        length += written;
        Span<byte> hash = stackalloc byte[32];
        if (prefixLength >= 64)
        {
            // A child id's first 64-byte block is its parent's id (or the start of a longer prefix): every sibling shares it, so
            // the state after that block is kept per thread and each id costs one compression instead of two.
            Span<uint> state = stackalloc uint[8];
            MidState(prefix!, key[..64], state);
            Sha256.HashFrom(state, key[..length], 64, hash);
        }
        else
        {
            Sha256.Hash(key[..length], hash);
        }

        return ToLowerHex(hash);
    }

    // The last prefix block this thread compressed and the state after it (map items, parallel branches and a context's
    // children derive their ids from the same parent one after the other).
    [ThreadStatic]
    private static string? t_midPrefix;

    [ThreadStatic]
    private static uint[]? t_midState;

    private static void MidState(string prefix, ReadOnlySpan<byte> firstBlock, Span<uint> state)
    {
        var cached = t_midState;
        if (cached is not null && t_midPrefix is { } last && string.CompareOrdinal(last, 0, prefix, 0, 64) == 0)
        {
            cached.CopyTo(state);
            return;
        }

        Sha256.Initial.CopyTo(state);
        Sha256.Compress(state, firstBlock);
        cached ??= t_midState = new uint[8];
        state.CopyTo(cached);
        t_midPrefix = prefix;
    }

    private static string CreateSlow(string? prefix, int ordinal)
    {
        var key = System.Text.Encoding.ASCII.GetBytes(prefix is null
            ? ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : prefix + "-" + ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ToLowerHex(System.Security.Cryptography.SHA256.HashData(key));
    }

    private static string ToLowerHex(ReadOnlySpan<byte> hash)
    {
        Span<byte> copy = stackalloc byte[32];
        hash.CopyTo(copy);
        return string.Create(64, Buffer32.From(copy), static (chars, h) =>
        {
            ReadOnlySpan<byte> bytes = h;
            for (var i = 0; i < 32; i++)
            {
                var b = bytes[i];
                chars[2 * i] = "0123456789abcdef"[b >> 4];
                chars[(2 * i) + 1] = "0123456789abcdef"[b & 0xF];
            }
        });
    }

    [InlineArray(32)]
    private struct Buffer32
    {
        private byte _element0;

        public static Buffer32 From(ReadOnlySpan<byte> bytes)
        {
            var b = default(Buffer32);
            bytes.CopyTo(b);
            return b;
        }
    }

    /// <summary>FIPS 180-4 SHA-256 for short messages, without allocation.</summary>
    internal static class Sha256
    {
        private static readonly uint[] K =
        [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        ];

        /// <summary>The initial hash value H(0).</summary>
        public static ReadOnlySpan<uint> Initial => [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

        public static void Hash(ReadOnlySpan<byte> message, Span<byte> destination)
        {
            Span<uint> state = stackalloc uint[8];
            Initial.CopyTo(state);
            HashFrom(state, message, 0, destination);
        }

        /// <summary>
        /// Finishes the hash of <paramref name="message"/> whose first <paramref name="done"/> bytes (whole blocks) are already
        /// compressed into <paramref name="state"/>.
        /// </summary>
        public static void HashFrom(Span<uint> state, ReadOnlySpan<byte> message, int done, Span<byte> destination)
        {
            var full = message.Length / 64;
            for (var i = done / 64; i < full; i++)
            {
                Compress(state, message.Slice(i * 64, 64));
            }

            // Padding: 0x80, zeros, then the bit length as a big-endian 64-bit integer; one or two final blocks.
            Span<byte> tail = stackalloc byte[128];
            tail.Clear();
            var rest = message[(full * 64)..];
            rest.CopyTo(tail);
            tail[rest.Length] = 0x80;
            var tailLength = rest.Length + 9 <= 64 ? 64 : 128;
            BinaryPrimitives.WriteUInt64BigEndian(tail.Slice(tailLength - 8, 8), (ulong)message.Length * 8);
            Compress(state, tail[..64]);
            if (tailLength == 128)
            {
                Compress(state, tail.Slice(64, 64));
            }

            for (var i = 0; i < 8; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(i * 4, 4), state[i]);
            }
        }

        public static void Compress(Span<uint> state, ReadOnlySpan<byte> block)
        {
            Span<uint> w = stackalloc uint[64];
            for (var i = 0; i < 16; i++)
            {
                w[i] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(i * 4, 4));
            }

            for (var i = 16; i < 64; i++)
            {
                var s0 = BitOperations.RotateRight(w[i - 15], 7) ^ BitOperations.RotateRight(w[i - 15], 18) ^ (w[i - 15] >> 3);
                var s1 = BitOperations.RotateRight(w[i - 2], 17) ^ BitOperations.RotateRight(w[i - 2], 19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16] + s0 + w[i - 7] + s1;
            }

            uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
            var k = K;
            for (var i = 0; i < 64; i++)
            {
                var t1 = h + (BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
                var t2 = (BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
                h = g;
                g = f;
                f = e;
                e = d + t1;
                d = c;
                c = b;
                b = a;
                a = t1 + t2;
            }

            state[0] += a;
            state[1] += b;
            state[2] += c;
            state[3] += d;
            state[4] += e;
            state[5] += f;
            state[6] += g;
            state[7] += h;
        }
    }
}
