namespace Sluice.Postgres;

/// <summary>A node as the cluster's database knows it: who, in which role, where its API is, which version, and when it last said so.</summary>
public sealed record ClusterNode(string Name, string Role, string? Http, string Version, DateTimeOffset StartedAt, DateTimeOffset SeenAt);
