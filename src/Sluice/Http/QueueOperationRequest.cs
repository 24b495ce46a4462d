namespace Sluice.Http;

/// <summary>Body of flush and delete: which messages. <see cref="All"/> must be set to act on everything.</summary>
internal sealed record QueueOperationRequest(string? Id, string? Domain, string? State, bool All = false, bool DryRun = false, string? Reason = null);
