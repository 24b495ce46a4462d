namespace Sluice.Server.Sessions;

internal enum MessageVerdictKind
{
    Accept,
    Refuse,
    Drop,
}
