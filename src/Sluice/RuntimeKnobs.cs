namespace Sluice;

/// <summary>
/// Runtime settings that must be in place before the first socket is used, and that only an
/// environment variable can set. An operator's own value of each variable wins.
/// </summary>
internal static class RuntimeKnobs
{
    /// <summary>
    /// Socket completions run on the socket engine's own thread instead of being queued to the
    /// thread pool: an SMTP dialogue waits on every line, and each hop to a pool worker cost a
    /// futex wake and a task switch. Measured on the relay path, same runs against the build
    /// without it: 4 KB 0.500 → 0.429 ms CPU per message, 100 KB 0.802 → 0.710, 13% more rate
    /// (bench/results/relay-inline-completions-before-after-*.md). Nothing on the socket path
    /// blocks on another socket's completion; the spool and index writers have their own threads.
    /// </summary>
    internal const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Sets each knob the environment leaves unset; read once by the runtime at the first socket operation.</summary>
    internal static void Apply()
    {
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        }
    }
}
