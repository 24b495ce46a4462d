using System.Data.Common;

namespace Sluice.Core.State;

/// <summary>
/// Announces a change inside the transaction that makes it, so that the announcement goes out if
/// and only if the change commits (PostgreSQL: <c>pg_notify</c>). The embedded store has no other
/// node to tell and announces nothing.
/// </summary>
public delegate Task StateAnnouncer(DbConnection connection, DbTransaction transaction, StateChange change, CancellationToken cancellationToken);
