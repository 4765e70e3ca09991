namespace Durable.Fluent.LocalService;

/// <summary>
/// The local durable service's SQLite file cannot be used: it is not a SQLite database, it is damaged, it is empty where
/// data was expected, it was written by another schema version, or one execution in it is incomplete. The message names
/// the file (and the execution) and what to do; the file is left as it was.
/// </summary>
public sealed class LocalStoreException : DurableExecutionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The database file.</param>
    /// <param name="executionArn">The execution whose rows are damaged, or <see langword="null"/> when the whole file is.</param>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The underlying error (for example a SqliteException or JsonException).</param>
    public LocalStoreException(string filePath, string? executionArn, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        ExecutionArn = executionArn;
    }

    /// <summary>The full path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>The execution whose stored rows are damaged or missing, when the problem is one execution.</summary>
    public string? ExecutionArn { get; }
}
