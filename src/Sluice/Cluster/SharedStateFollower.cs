using Sluice.Core.State;
using Sluice.Core.Templates;
using Sluice.Http;

namespace Sluice.Cluster;

/// <summary>
/// Keeps this node's copies of shared state in step with changes any node commits (ADR 0032): the
/// in-memory suppression list that RCPT and delivery read, the compiled-template cache and the
/// API-key cache.
/// </summary>
internal sealed class SharedStateFollower(ISuppressionStore suppressions, SuppressionList list, TemplateCache templates, ApiKeyAuthentication keys) : IStateChangeObserver
{
    public async Task OnChangedAsync(StateChange change, CancellationToken cancellationToken)
    {
        switch (change.Kind)
        {
            case StateChangeKind.Suppression:
                list.ReplaceAddress(change.Key, await suppressions.FindSuppressionsAsync(change.Key, cancellationToken).ConfigureAwait(false));
                break;
            case StateChangeKind.Suppressions:
                await SuppressionLoader.LoadAsync(suppressions, list, cancellationToken).ConfigureAwait(false);
                break;
            case StateChangeKind.ApiKey:
                keys.Forget(change.Key);
                break;
            case StateChangeKind.Template:
                templates.Evict(change.Key);
                break;
        }
    }

    public async Task OnResyncAsync(CancellationToken cancellationToken)
    {
        keys.ForgetAll();
        templates.Clear();
        await SuppressionLoader.LoadAsync(suppressions, list, cancellationToken).ConfigureAwait(false);
    }
}
