using System.Net;

namespace Sluice.Delivery.Egress;

/// <summary>A resolved egress source, with its warm-up plan while it has one.</summary>
public sealed record EgressSource(string Name, IPAddress Address, string? EhloName, WarmUpOptions? WarmUp = null);
