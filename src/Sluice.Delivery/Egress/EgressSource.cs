using System.Net;

namespace Sluice.Delivery.Egress;

/// <summary>A resolved egress source.</summary>
internal sealed record EgressSource(string Name, IPAddress Address, string? EhloName);
