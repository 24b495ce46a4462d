namespace Sluice.Delivery.Egress;

/// <summary>One egress source: the local address mail leaves from and the name it says in EHLO.</summary>
public sealed class EgressSourceOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Local IP address to bind outgoing connections to.</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>EHLO name for this source (it should match the address's PTR); defaults to Delivery:Client:HeloName.</summary>
    public string? EhloName { get; set; }

    /// <summary>A warm-up plan for a new address: its daily volume per provider grows on a schedule.</summary>
    public WarmUpOptions? WarmUp { get; set; }
}
