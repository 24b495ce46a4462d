namespace Sluice.Core.Balancing;

/// <summary>One active health probe's result: probes never throw, they say what they saw.</summary>
public readonly record struct ProbeResult(bool Healthy, string Detail, TimeSpan Latency);
