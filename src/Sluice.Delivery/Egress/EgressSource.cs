using System.Net;

namespace Sluice.Delivery.Egress;

/// <summary>A resolved egress source.</summary>
public sealed record EgressSource(string Name, IPAddress Address, string? EhloName);
