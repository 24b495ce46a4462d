namespace Sluice.Delivery.Egress;

/// <summary>How an egress choice came out: no sources configured (the OS picks the address), a source chosen, or every source refused (warm-up allowances used up).</summary>
public enum EgressChoice
{
    None,
    Chosen,
    Refused,
}
