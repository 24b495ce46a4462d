using Sluice.Delivery.Dns;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

/// <summary>Where one domain's mail goes: its site, hosts in preference order and port; or why it cannot go (null MX, no such domain, DNS failure).</summary>
internal sealed record Destination(string Site, IReadOnlyList<MxHost> Hosts, int Port, DeliveryOutcome? Failure);
