using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Core.Events;

namespace Sluice.Storage.Events;

/// <summary>
/// The embedded message index's database, <c>events.db</c> in the data folder (SQLite, WAL). It is
/// derived data: <c>synchronous=NORMAL</c>, so a process restart loses nothing and a power cut the
/// last commits. One node writes it, so its sequence numbers are its writer's own.
/// </summary>
public sealed partial class SqliteEventDatabase : EventIndexDatabase
{
    private readonly string _connectionString;
    private readonly Func<bool>? _mayWrite;

    private SqliteEventDatabase(string path, string connectionString, Func<bool>? mayWrite)
    {
        Location = path;
        _connectionString = connectionString;
        _mayWrite = mayWrite;
    }

    public override string Location { get; }

    public override bool SharedByNodes => false;

    /// <summary>False while the disk is short of space (the spool's answer when they share it): batches are dropped and counted, so the index never takes the space the spool keeps for its acknowledgements.</summary>
    public override bool MayWrite => _mayWrite?.Invoke() ?? true;

    /// <param name="directory">The data folder; the index is <c>events.db</c> in it.</param>
    /// <param name="mayWrite">See <see cref="MayWrite"/>.</param>
    public static SqliteEventDatabase Open(string directory, Func<bool>? mayWrite = null)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "events.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 10 }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        connection.Execute(Schema);
        if (!connection.Query<string>("SELECT name FROM pragma_table_info('messages')").Contains("credential"))
        {
            // An index from before sender reputation (which needs a message's credential for late feedback).
            connection.Execute("ALTER TABLE messages ADD COLUMN credential TEXT NULL");
        }

        if (!connection.Query<string>("SELECT name FROM pragma_table_info('recipients')").Contains("held_for"))
        {
            // An index from before held recipients were indexed.
            connection.Execute("ALTER TABLE recipients ADD COLUMN held_for TEXT NULL");
        }

        // A release finds the recipients held under its key without reading the others.
        connection.Execute("CREATE INDEX IF NOT EXISTS recipients_held ON recipients (held_for) WHERE state = 'held'");

        return new SqliteEventDatabase(path, connectionString, mayWrite);
    }

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public override IndexSession OpenSession() => new SqliteIndexSession(_connectionString);

    public override bool IsFault(Exception exception) => exception is SqliteException;

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        return base.DisposeAsync();
    }
}
