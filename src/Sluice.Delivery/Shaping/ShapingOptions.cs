namespace Sluice.Delivery.Shaping;

/// <summary>
/// The <c>Delivery:Shaping</c> section: how hard each destination is pushed. Reloaded live with
/// the routes when the config file changes (or on SIGHUP).
/// </summary>
public sealed class ShapingOptions
{
    /// <summary>What every site gets unless a provider or domain rule says otherwise.</summary>
    public ShapingRule Default { get; set; } = new();

    /// <summary>
    /// Rules for mail hosting providers, matched by MX host name suffix. They apply per site: every
    /// domain whose MX hosts match shares the site's connections and limits.
    /// </summary>
    public Dictionary<string, ShapingRule> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Rules for one recipient domain. A domain with its own rule gets its own queue at its site
    /// (its limits are not shared with other domains hosted there, like KumoMTA's mx_rollup=false).
    /// </summary>
    public Dictionary<string, ShapingRule> Domains { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
