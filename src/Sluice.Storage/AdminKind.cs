namespace Sluice.Storage;

internal enum AdminKind
{
    Flush,
    Delete,
}
