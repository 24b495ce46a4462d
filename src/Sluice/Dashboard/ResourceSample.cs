namespace Sluice.Dashboard;

/// <summary>One look at the node's resources: CPU as a share of all cores (0–1), bytes of memory and disk.</summary>
internal sealed record ResourceSample(DateTimeOffset At, double Cpu, long WorkingSet, long ManagedHeap, long DiskFree, long DiskTotal);
