namespace Sluice.Delivery.Egress;

/// <summary>The <c>Delivery:Egress</c> section. Without sources, mail leaves from the OS's choice of address.</summary>
public sealed class EgressOptions
{
    public List<EgressSourceOptions> Sources { get; set; } = [];

    public List<EgressPoolOptions> Pools { get; set; } = [];

    /// <summary>Pool for routes that name none; empty with sources configured means every source, weight 1.</summary>
    public string? DefaultPool { get; set; }
}
