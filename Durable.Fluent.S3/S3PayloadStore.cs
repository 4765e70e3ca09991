using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Durable.Fluent.Payloads;

namespace Durable.Fluent.S3;

/// <summary>
/// A payload store in an Amazon S3 bucket (or any S3-compatible store): each offloaded payload is one object under
/// <see cref="Prefix"/>. Use it with <see cref="PayloadOffloadOptions"/>:
/// <code>
/// new WorkflowOptions { PayloadOffload = new PayloadOffloadOptions(S3PayloadStore.Create(new S3PayloadStoreOptions { Bucket = "my-bucket" })) }
/// </code>
/// The function's role needs <c>s3:PutObject</c> and <c>s3:GetObject</c> on <c>arn:aws:s3:::bucket/prefix*</c>
/// (and <c>s3:ListBucket</c> plus <c>s3:DeleteObject</c> for <see cref="PayloadStoreExtensions.DeleteExecutionAsync"/>).
/// Objects are not deleted when the execution's retention ends: delete them with that call, or add an S3 lifecycle rule
/// expiring objects under the prefix some days after the longest retention you use.
/// </summary>
public sealed class S3PayloadStore : IPayloadStore
{
    private readonly IAmazonS3 _client;

    /// <summary>Creates the store over a client you configured.</summary>
    /// <param name="client">The S3 client.</param>
    /// <param name="bucket">The bucket.</param>
    /// <param name="prefix">The key prefix of every object (default <c>durable-payloads/</c>; empty for the bucket root).</param>
    public S3PayloadStore(IAmazonS3 client, string bucket, string? prefix = S3PayloadStoreOptions.DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        _client = client;
        Bucket = bucket;
        Prefix = NormalizePrefix(prefix);
    }

    /// <summary>The bucket.</summary>
    public string Bucket { get; }

    /// <summary>The key prefix of every object (empty, or ending with <c>/</c>).</summary>
    public string Prefix { get; }

    /// <summary><c>s3://{bucket}</c>: references name the bucket, so a replay against another bucket fails clearly.</summary>
    public string Name => $"s3://{Bucket}";

    /// <summary>
    /// Creates the store with its own client. Credentials and region resolve as for the checkpoint client
    /// (<c>LambdaDurableExecutionClient</c>): explicit values first, then the AWS SDK's default chain (environment, shared
    /// profile, container and instance metadata) and <c>AWS_REGION</c>.
    /// </summary>
    /// <param name="options">The bucket, prefix and connection settings.</param>
    /// <returns>The store.</returns>
    public static S3PayloadStore Create(S3PayloadStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Bucket, nameof(options.Bucket));
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,

            // Checksums only where S3 requires them: S3-compatible stores do not all accept the newer trailing checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (options.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        var client = options.Credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(options.Credentials, config);
        return new S3PayloadStore(client, options.Bucket, options.Prefix);
    }

    /// <inheritdoc />
    public async Task WriteAsync(string key, ReadOnlyMemory<byte> utf8Payload, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(utf8Payload.ToArray(), writable: false);
        var request = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = Prefix + key,
            InputStream = body,
            ContentType = "application/json; charset=utf-8",
            AutoCloseStream = false,
            UseChunkEncoding = false,
        };
        await Call(() => _client.PutObjectAsync(request, cancellationToken), "write", key).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.GetObjectAsync(Bucket, Prefix + key, cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream(response.ContentLength is > 0 and < int.MaxValue ? (int)response.ContentLength : 0);
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound || ex.ErrorCode == "NoSuchKey")
        {
            return null;
        }
        catch (AmazonServiceException ex)
        {
            throw Translate(ex, "read", key);
        }
    }

    /// <inheritdoc />
    public async Task<int> DeleteAsync(string keyPrefix, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        var deleted = 0;
        var list = new ListObjectsV2Request { BucketName = Bucket, Prefix = Prefix + keyPrefix.TrimEnd('/') + "/" };
        while (true)
        {
            var page = await Call(() => _client.ListObjectsV2Async(list, cancellationToken), "list", keyPrefix).ConfigureAwait(false);
            if (page.S3Objects is { Count: > 0 } objects)
            {
                var batch = new DeleteObjectsRequest { BucketName = Bucket, Objects = objects.Select(o => new KeyVersion { Key = o.Key }).ToList() };
                var result = await Call(() => _client.DeleteObjectsAsync(batch, cancellationToken), "delete", keyPrefix).ConfigureAwait(false);
                deleted += result.DeletedObjects?.Count ?? 0;
            }

            if (page.IsTruncated != true)
            {
                return deleted;
            }

            list.ContinuationToken = page.NextContinuationToken;
        }
    }

    private async Task<T> Call<T>(Func<Task<T>> call, string what, string key)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            throw Translate(ex, what, key);
        }
    }

    /// <summary>Throttling, 5xx and network errors are transient (the invocation is retried); other 4xx (access denied, no such bucket) are not.</summary>
    private PayloadStoreException Translate(AmazonServiceException ex, string what, string key)
    {
        var status = (int)ex.StatusCode;
        var transient = status == 0 || status == 429 || status >= 500 || ex.ErrorCode is "SlowDown" or "RequestTimeout" or "Throttling";
        return new PayloadStoreException(
            $"S3 payload store {Name}: {what} of {Prefix}{key} failed with {status} {ex.ErrorCode}: {ex.Message}",
            transient ? PayloadStoreException.Unavailable : PayloadStoreException.Rejected,
            transient ? (status == 0 ? 0 : Math.Max(status, 500)) : status,
            ex);
    }

    private static string NormalizePrefix(string? prefix)
        => string.IsNullOrEmpty(prefix) ? string.Empty : prefix.TrimStart('/').TrimEnd('/') + "/";
}

/// <summary>Settings of <see cref="S3PayloadStore.Create"/>.</summary>
public sealed record S3PayloadStoreOptions
{
    /// <summary>The default key prefix.</summary>
    public const string DefaultPrefix = "durable-payloads/";

    /// <summary>The bucket (required).</summary>
    public string Bucket { get; init; } = string.Empty;

    /// <summary>The key prefix of every object (default <c>durable-payloads/</c>).</summary>
    public string? Prefix { get; init; } = DefaultPrefix;

    /// <summary>The region; <see langword="null"/> uses <c>AWS_REGION</c> (the function's own region on Lambda).</summary>
    public string? Region { get; init; }

    /// <summary>Credentials; <see langword="null"/> uses the AWS SDK's default credential chain, as the checkpoint client does.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>An S3-compatible endpoint (for example a local test server); <see langword="null"/> for Amazon S3.</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>Path-style addressing (<c>host/bucket/key</c>), which most S3-compatible servers need.</summary>
    public bool ForcePathStyle { get; init; }
}
