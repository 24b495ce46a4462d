using Sluice.Core.State;
using Sluice.Core.Templates;
using Sluice.Http;

namespace Sluice.Cluster;

/// <summary>
/// Keeps this node's copies of shared state in step with changes any node commits (ADR 0032): the
/// in-memory suppression list that RCPT and delivery read, the compiled-template cache, the
/// API-key cache, destination suspensions and sender pauses.
/// </summary>
internal sealed class SharedStateFollower(
    ISuppressionStore suppressions,
    SuppressionList list,
    TemplateCache templates,
    ApiKeyAuthentication keys,
    SqlStateStore shared,
    Delivery.Dispatch.DeliveryControl? control,
    TimeProvider time) : IStateChangeObserver
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
                await keys.ForgetAsync(change.Key).ConfigureAwait(false);
                break;
            case StateChangeKind.Template:
                await templates.EvictAsync(change.Key).ConfigureAwait(false);
                break;
            case StateChangeKind.Suspension:
                await FollowSuspensionsAsync(cancellationToken).ConfigureAwait(false);
                break;
            case StateChangeKind.SenderPause:
                await FollowPausesAsync(cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    public async Task OnResyncAsync(CancellationToken cancellationToken)
    {
        keys.ForgetAll();
        templates.Clear();
        await SuppressionLoader.LoadAsync(suppressions, list, cancellationToken).ConfigureAwait(false);
        await FollowSuspensionsAsync(cancellationToken).ConfigureAwait(false);
        await FollowPausesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cluster's suspensions, all of them (few): a node that does not deliver has none to follow.</summary>
    private async Task FollowSuspensionsAsync(CancellationToken cancellationToken)
    {
        if (control is not null)
        {
            await control.FollowAsync(await shared.ListAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>The cluster's sender pauses, all of them (few): a node that does not deliver has no mail to hold.</summary>
    private async Task FollowPausesAsync(CancellationToken cancellationToken)
    {
        if (control is not null)
        {
            await control.FollowPausesAsync(await shared.ListPausesAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }
}
