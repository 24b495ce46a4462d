using Microsoft.Data.Sqlite;

namespace Sluice.Storage;

/// <summary>Bodies kept in the database: a blob of the body's length, filled in place (no copy of the whole body in memory).</summary>
internal static class BodyRows
{
    public static void Insert(SqliteConnection connection, SqliteTransaction transaction, long seq, long length, Action<Stream> write)
    {
        using var body = connection.CreateCommand();
        body.Transaction = transaction;
        body.CommandText = "INSERT INTO bodies (seq, data) VALUES ($seq, zeroblob($size))";
        body.Parameters.AddWithValue("$seq", seq);
        body.Parameters.AddWithValue("$size", length);
        body.ExecuteNonQuery();
        if (length > 0)
        {
            using var blob = new SqliteBlob(connection, "bodies", "data", seq);
            write(blob);
        }
    }
}
