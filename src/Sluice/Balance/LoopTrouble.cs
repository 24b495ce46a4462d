namespace Sluice.Balance;

/// <summary>Repeating troubles of the proxy loops, each logged at most once a minute (per pool where one applies).</summary>
internal enum LoopTrouble
{
    NoneAvailable,
    AcceptPaused,
    NoSocket,
}
