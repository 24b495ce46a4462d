using Microsoft.Data.Sqlite;

namespace Sluice.Storage;

/// <summary>
/// The writer's prepared statements: one command per SQL text, prepared on first use and reused
/// for every later batch, its parameters declared once and only their values set per execution.
/// Creating a command per operation made SQLite parse and plan each statement again — about a
/// tenth of the node's CPU on the relay path. Belongs to one connection; a reopened connection
/// gets a new set.
/// </summary>
internal sealed class SpoolStatements(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection => connection;

    /// <summary>The batch's transaction, given to every command handed out while it is open.</summary>
    public SqliteTransaction? Transaction { get; set; }

    /// <summary>The command for <paramref name="sql"/>, with <paramref name="parameters"/> declared the first time.</summary>
    public SqliteCommand Get(string sql, params ReadOnlySpan<(string Name, SqliteType Type)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type) in parameters)
            {
                command.Parameters.Add(name, type);
            }

            _commands[sql] = command;
        }

        command.Transaction = Transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}
