namespace Sluice.Delivery.Dns;

/// <summary>The answer for a destination domain, valid until <see cref="ExpiresAt"/>.</summary>
public sealed record MxResolution(string Domain, MxResolutionKind Kind, IReadOnlyList<MxHost> Hosts, DateTimeOffset ExpiresAt, string? Detail = null)
{
    /// <summary>
    /// The site key: the sorted set of MX host names, so every domain hosted by one provider
    /// shares one queue and one set of limits (KumoMTA's "site name").
    /// </summary>
    /// <remarks>Computed once per answer (answers are cached), not per delivery.</remarks>
    public string Site { get; } = Kind == MxResolutionKind.Hosts
        ? string.Join(',', Hosts.Select(h => h.Name).Order(StringComparer.Ordinal))
        : Domain;
}
