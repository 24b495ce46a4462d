using Sluice.Delivery.Dns;
using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

/// <summary>How a ready queue reaches its site now: the hosts in preference order, the port, the shaping and the client settings. Replaced as routes, DNS answers or the config change.</summary>
public sealed record QueuePlan(IReadOnlyList<MxHost> Hosts, int Port, SiteShaping Shaping, SmtpClientOptions Client);
