using Microsoft.Data.Sqlite;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>Runs SQL against a store's file from outside the store (an old schema, damage, a trigger that refuses rows).</summary>
internal static class SqliteFiles
{
    /// <summary>Runs <paramref name="sql"/> on its own unpooled connection (closed at once, so the file is not held).</summary>
    /// <returns>The rows the statements changed.</returns>
    public static int Execute(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }
}
