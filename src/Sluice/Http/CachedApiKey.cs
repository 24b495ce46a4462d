using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>An API key as the cluster's second-level cache keeps it: the record and its secret's hash (never the secret).</summary>
internal sealed record CachedApiKey(ApiKey Key, string Hash);
