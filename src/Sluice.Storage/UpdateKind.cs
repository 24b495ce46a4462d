namespace Sluice.Storage;

internal enum UpdateKind
{
    Ack,
    Defer,
    DeadLetter,
    Hold,
}
