using System.Security.Cryptography;

namespace Durable.Fluent.LocalService;

/// <summary>
/// The identifiers the local service hands out, each drawn from a cryptographic random source (the source is injected in
/// tests): checkpoint tokens, execution ids (the last segment of an ARN), callback ids and request ids. Nothing about them
/// can be derived from an execution's name, its start order or earlier ids, so reaching the port is not enough to
/// checkpoint into an execution or to answer its callbacks.
/// </summary>
internal sealed class ServiceIdentifiers(Action<byte[]> fill)
{
    /// <summary>Identifiers from <see cref="RandomNumberGenerator"/>.</summary>
    public static ServiceIdentifiers Cryptographic { get; } = new(static b => RandomNumberGenerator.Fill(b));

    /// <summary>256 random bits in standard base64 (the model's CheckpointToken alphabet, 44 characters).</summary>
    public string CheckpointToken() => Convert.ToBase64String(Bytes(32));

    /// <summary>128 random bits as 32 lowercase hex digits (the ARN's id segment, <c>[a-zA-Z0-9_-]+</c>).</summary>
    public string ExecutionId() => Convert.ToHexString(Bytes(16)).ToLowerInvariant();

    /// <summary>256 random bits in standard base64 (the model's CallbackId pattern <c>[A-Za-z0-9+/]+={0,2}</c>, 44 characters).</summary>
    public string CallbackId() => Convert.ToBase64String(Bytes(32));

    /// <summary>A random (version 4) UUID, the form of the service's <c>x-amzn-RequestId</c>.</summary>
    public string RequestId()
    {
        var b = Bytes(16);
        b[7] = (byte)((b[7] & 0x0F) | 0x40); // version 4 (Guid's byte order keeps the version in byte 7)
        b[8] = (byte)((b[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(b).ToString("D");
    }

    private byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        fill(bytes);
        return bytes;
    }
}
