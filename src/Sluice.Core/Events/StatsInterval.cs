namespace Sluice.Core.Events;

public enum StatsInterval
{
    Hour,
    Day,
}
