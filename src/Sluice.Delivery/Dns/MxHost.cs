using System.Net;

namespace Sluice.Delivery.Dns;

/// <summary>One mail exchanger with its resolved addresses (IPv4 first, then IPv6).</summary>
public sealed record MxHost(string Name, int Preference, IReadOnlyList<IPAddress> Addresses);
