namespace Durable.Fluent.Payloads;

/// <summary>
/// Where payloads too large for a checkpoint are kept (payload offload): the checkpoint then holds a small reference
/// (<see cref="PayloadReference"/>) and every replay reads the payload back. Implementations: <see cref="FileSystemPayloadStore"/>
/// (a local directory, or an EFS / S3 Files mount on Lambda) and <c>S3PayloadStore</c> in the <c>Durable.Fluent.S3</c>
/// package. Small on purpose, so any blob store fits.
/// <para>Keys are made by Durable.Fluent: <c>{execution key}/{operation id}/{SHA-256 of the payload}</c>, where the execution
/// key is <see cref="PayloadReference.ExecutionKey"/> of the ARN. They use only <c>[0-9a-z-_/]</c>; writing the same key
/// twice writes the same bytes, so a retried write is harmless. A store must make a completed write visible to later reads.</para>
/// <para>Errors: throw <see cref="PayloadStoreException"/> to choose between retrying the invocation and failing the execution;
/// any other exception is treated as transient (the invocation is retried).</para>
/// </summary>
public interface IPayloadStore
{
    /// <summary>
    /// A short identifier of the store written into references (for example <c>file</c> or <c>s3://my-bucket</c>), so a
    /// replay against a different store fails with a clear error instead of reading the wrong place.
    /// </summary>
    string Name { get; }

    /// <summary>Stores <paramref name="utf8Payload"/> under <paramref name="key"/>, replacing what is there.</summary>
    /// <param name="key">The key.</param>
    /// <param name="utf8Payload">The payload, UTF-8 encoded.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the payload is durably stored.</returns>
    Task WriteAsync(string key, ReadOnlyMemory<byte> utf8Payload, CancellationToken cancellationToken);

    /// <summary>Reads the payload stored under <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The payload, UTF-8 encoded, or <see langword="null"/> when nothing is stored under the key.</returns>
    Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes every payload whose key starts with <paramref name="keyPrefix"/> followed by <c>/</c>.</summary>
    /// <param name="keyPrefix">The prefix (for an execution: <see cref="PayloadReference.ExecutionKey"/>).</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns>How many payloads were deleted.</returns>
    Task<int> DeleteAsync(string keyPrefix, CancellationToken cancellationToken);
}

/// <summary>Cleanup helpers of <see cref="IPayloadStore"/>.</summary>
public static class PayloadStoreExtensions
{
    /// <summary>
    /// Deletes every payload the execution offloaded. The service deletes an execution's checkpoints when its retention
    /// period ends but knows nothing of offloaded payloads; call this when you no longer need the execution (or expire
    /// the objects with a store-side rule, such as an S3 lifecycle rule on the prefix).
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="durableExecutionArn">The execution ARN.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns>How many payloads were deleted.</returns>
    public static Task<int> DeleteExecutionAsync(this IPayloadStore store, string durableExecutionArn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.DeleteAsync(PayloadReference.ExecutionKey(durableExecutionArn), cancellationToken);
    }
}
