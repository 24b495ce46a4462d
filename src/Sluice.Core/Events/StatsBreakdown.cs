namespace Sluice.Core.Events;

/// <summary>What statistics rows are split by besides time.</summary>
public enum StatsBreakdown
{
    None,
    SenderDomain,
    Tag,
}
