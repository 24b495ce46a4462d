namespace Sluice.Delivery.Egress;

/// <summary>A named set of sources chosen by weight (smooth weighted round robin).</summary>
public sealed class EgressPoolOptions
{
    public string Name { get; set; } = string.Empty;

    public List<EgressPoolMemberOptions> Members { get; set; } = [];
}
