using Microsoft.Data.Sqlite;

namespace Sluice.Storage;

/// <summary>Bodies kept in the database: a blob of the body's length, filled in place (no copy of the whole body in memory).</summary>
internal static class BodyRows
{
    public static void Insert(SpoolStatements statements, long seq, long length, Action<Stream> write)
    {
        var body = statements.Get("INSERT INTO bodies (seq, data) VALUES ($seq, zeroblob($size))", ("$seq", SqliteType.Integer), ("$size", SqliteType.Integer));
        body.Parameters[0].Value = seq;
        body.Parameters[1].Value = length;
        body.ExecuteNonQuery();
        if (length > 0)
        {
            using var blob = new SqliteBlob(statements.Connection, "bodies", "data", seq);
            write(blob);
        }
    }
}
