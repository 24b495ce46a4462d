namespace Sluice.Core.State;

/// <summary>
/// What a node does when shared state changed, whichever node changed it (a cluster announces each
/// committed change to every node; ADR 0032): its in-memory suppression list, template cache and
/// API-key cache follow the store.
/// </summary>
public interface IStateChangeObserver
{
    Task OnChangedAsync(StateChange change, CancellationToken cancellationToken);

    /// <summary>Changes may have been missed (the feed was down): everything cached is read again.</summary>
    Task OnResyncAsync(CancellationToken cancellationToken);
}
