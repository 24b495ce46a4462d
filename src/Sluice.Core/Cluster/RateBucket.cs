namespace Sluice.Core.Cluster;

/// <summary>A sender's counts in one period of its rate window (the period's number: time divided by the bucket width).</summary>
public readonly record struct RateBucket(long Period, long Sent, long Bounced, long Complained);
