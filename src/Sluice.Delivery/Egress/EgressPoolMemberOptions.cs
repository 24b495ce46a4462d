namespace Sluice.Delivery.Egress;

public sealed class EgressPoolMemberOptions
{
    public string Source { get; set; } = string.Empty;

    public int Weight { get; set; } = 1;
}
