namespace Sluice.Server.Sessions;

/// <summary>What the synchronous parser asks the async loop to do next.</summary>
internal enum SessionStep
{
    NeedMore,
    CommitMessage,

    /// <summary>Check the pending AUTH credentials (off the session's thread), then go on parsing.</summary>
    VerifyAuth,
    StartTls,
    Close,

    /// <summary>Close without a reply: the peer is not speaking SMTP (e.g. HTTP).</summary>
    Drop,
}
