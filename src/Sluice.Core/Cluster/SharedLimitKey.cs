namespace Sluice.Core.Cluster;

/// <summary>
/// What a cluster-wide limit counts for: a destination site (an MX set, relay host or pool member),
/// the egress source mail leaves from, and the recipient domain when it has shaping of its own —
/// the same parts a ready queue's shaping is resolved from, without its TLS policy (two queues that
/// differ only in TLS policy share one provider's limit).
/// </summary>
public readonly record struct SharedLimitKey(string Site, string? Source, string? Domain);
