namespace Durable.Fluent.Payloads;

/// <summary>
/// A payload store in a directory: each key is a file under <see cref="RootDirectory"/> (its <c>/</c>-separated parts are
/// sub-directories). For local development and tests, and on Lambda for a mounted file system (EFS, S3 Files) — not for
/// the function's <c>/tmp</c>, which does not outlive the execution environment. Writes go to a temporary file that is
/// then renamed into place, so a reader never sees a partial payload.
/// </summary>
public sealed class FileSystemPayloadStore : IPayloadStore
{
    /// <summary>Creates the store; the directory is created on first write.</summary>
    /// <param name="rootDirectory">The directory holding the payloads.</param>
    public FileSystemPayloadStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        RootDirectory = Path.GetFullPath(rootDirectory);
    }

    /// <summary>The directory holding the payloads.</summary>
    public string RootDirectory { get; }

    /// <summary>Always <c>file</c>: references name the kind of store; the directory is configuration.</summary>
    public string Name => "file";

    /// <inheritdoc />
    public async Task WriteAsync(string key, ReadOnlyMemory<byte> utf8Payload, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.CurrentManagedThreadId}.{Interlocked.Increment(ref _writes)}.tmp";
        try
        {
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await file.WriteAsync(utf8Payload, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task<int> DeleteAsync(string keyPrefix, CancellationToken cancellationToken)
    {
        var directory = PathOf(keyPrefix);
        if (!Directory.Exists(directory))
        {
            return Task.FromResult(0);
        }

        var count = Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Length;
        Directory.Delete(directory, recursive: true);
        return Task.FromResult(count);
    }

    private long _writes;

    private string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Contains("..", StringComparison.Ordinal) || key[0] == '/' || key.Contains('\\', StringComparison.Ordinal) || key.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Payload key '{key}' would leave the store's directory.", nameof(key));
        }

        return Path.Combine(RootDirectory, key.Replace('/', Path.DirectorySeparatorChar));
    }
}
