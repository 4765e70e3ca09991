using System.Security.Cryptography;
using System.Text;

namespace Durable.Fluent.Tests.Checkpointing.Http;

/// <summary>
/// An independent, test-only implementation of the published AWS Signature Version 4 algorithm
/// (canonical request → string to sign → derived key → HMAC-SHA256), used to check the signatures the client's
/// AWSSDK.Core signer produces. It works from the request <i>as sent on the wire</i>.
/// </summary>
internal static class SigV4Reference
{
    public static string Signature(
        string method,
        Uri uri,
        IReadOnlyList<KeyValuePair<string, string>> signedHeaders,
        byte[] body,
        string secretKey,
        DateTimeOffset time,
        string region,
        string service)
    {
        var canonicalRequest = CanonicalRequest(method, uri, signedHeaders, body);
        var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    public static string CanonicalRequest(string method, Uri uri, IReadOnlyList<KeyValuePair<string, string>> signedHeaders, byte[] body)
    {
        // Non-S3 services: each segment of the (already escaped) wire path is URI-encoded once more.
        var rawPath = uri.AbsolutePath; // escaped, as sent
        var canonicalUri = rawPath.Length == 0 ? "/" : string.Join("/", rawPath.Split('/').Select(Encode));

        var query = uri.Query.TrimStart('?');
        var canonicalQuery = query.Length == 0
            ? string.Empty
            : string.Join("&", query.Split('&')
                .Select(p => p.Split('=', 2))
                .Select(kv => (Key: Encode(Uri.UnescapeDataString(kv[0])), Value: Encode(Uri.UnescapeDataString(kv.Length > 1 ? kv[1] : string.Empty))))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .ThenBy(kv => kv.Value, StringComparer.Ordinal)
                .Select(kv => kv.Key + "=" + kv.Value));

        var sorted = signedHeaders
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(" ", h.Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var canonicalHeaders = string.Concat(sorted.Select(h => $"{h.Name}:{h.Value}\n"));
        var signedHeaderNames = string.Join(";", sorted.Select(h => h.Name));
        return $"{method}\n{canonicalUri}\n{canonicalQuery}\n{canonicalHeaders}\n{signedHeaderNames}\n{Hex(SHA256.HashData(body))}";
    }

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>RFC 3986 encoding of everything but the unreserved characters, with upper-case hex.</summary>
    public static string Encode(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
