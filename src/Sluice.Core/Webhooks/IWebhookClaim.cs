namespace Sluice.Core.Webhooks;

/// <summary>This node's right to post one webhook's events (in a cluster, one node posts each webhook at a time).</summary>
public interface IWebhookClaim : IAsyncDisposable
{
    /// <summary>False once the claim is lost (its connection to the database broke: another node may hold it now).</summary>
    Task<bool> HeldAsync(CancellationToken cancellationToken);
}
