namespace Sluice.Server.Sessions;

public enum MessageVerdictKind
{
    Accept,
    Refuse,
    Drop,
}
