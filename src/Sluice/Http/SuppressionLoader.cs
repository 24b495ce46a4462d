using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>Fills the in-memory suppression list from the store at start, before the SMTP listeners open.</summary>
internal sealed class SuppressionLoader(ISuppressionStore store, SuppressionList list) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => LoadAsync(store, list, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Replaces the whole list with what the store holds now (at start, and when a cluster's node may have missed changes).</summary>
    public static async Task LoadAsync(ISuppressionStore store, SuppressionList list, CancellationToken cancellationToken)
    {
        var all = new List<Suppression>();
        string? after = null;
        while (true)
        {
            var page = await store.ListSuppressionsAsync(after, 10_000, cancellationToken).ConfigureAwait(false);
            all.AddRange(page);
            if (page.Count < 10_000)
            {
                break;
            }

            after = SuppressionsEndpoints.Cursor(page[^1]);
        }

        list.Replace(all);
    }
}
