namespace Sluice.Server.Sessions;

internal enum SessionMode
{
    Command,

    /// <summary>Discarding the rest of an over-long command line up to its LF.</summary>
    DiscardLine,

    Data,
    Bdat,
    AuthPlainResponse,
    AuthLoginUser,
    AuthLoginPassword,
}
