using Sluice.Delivery.Dns;
using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Dispatch;

/// <summary>Where one attempt goes: the site, its connection pool key and shaping, client settings, hosts and port.</summary>
internal sealed record HostTarget(string Site, string PoolKey, SiteShaping Shaping, SmtpClientOptions Client, IReadOnlyList<MxHost> Hosts, int Port, string? Source);
