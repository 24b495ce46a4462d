using System.Data.Common;
using Sluice.Core.Webhooks;

namespace Sluice.Core.Events;

/// <summary>
/// The database under a <see cref="SqlEventIndex"/> and its webhooks: the embedded SQLite
/// <c>events.db</c> of a single node, or a cluster's PostgreSQL that every node writes to (ADR
/// 0024, 0035). The index's reads are SQL both databases understand; what differs is given here:
/// how a connection is opened, how a batch is written (row by row with prepared statements, or in a
/// few statements over arrays), whether other nodes write too, and how a webhook is claimed by one
/// node at a time.
/// </summary>
public abstract class EventIndexDatabase : IAsyncDisposable
{
    /// <summary>Where the index is, for the log.</summary>
    public abstract string Location { get; }

    /// <summary>
    /// True when several nodes write to it: the newest sequence number is read from the database
    /// (not known from this node's commits), and a batch that fails is kept and tried again rather
    /// than dropped (the database is away for a while, not the disk full).
    /// </summary>
    public abstract bool SharedByNodes { get; }

    /// <summary>False while this database must not grow (the embedded one when the disk is short of space).</summary>
    public virtual bool MayWrite => true;

    /// <summary>A connection for reads and for the webhook store.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The writer's session (one per index, used from one thread at a time).</summary>
    public abstract IndexSession OpenSession();

    /// <summary>True for a fault of the database or the way to it (as opposed to a bug).</summary>
    public abstract bool IsFault(Exception exception);

    /// <summary>
    /// Claims the right to post a webhook's events: null when another node holds it. On a single
    /// node every claim is granted. The claim lasts until disposed or until its holder is gone.
    /// </summary>
    public virtual Task<IWebhookClaim?> ClaimAsync(string webhookId, CancellationToken cancellationToken)
        => Task.FromResult<IWebhookClaim?>(WebhookClaims.Always);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
