using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Pools;

/// <summary>The outbound settings of one relay member: TLS policy and AUTH credentials.</summary>
public sealed record RelayMemberSettings(TlsPolicy? Tls, string? Username, string? Password);
