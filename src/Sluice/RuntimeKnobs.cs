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

    /// <summary>
    /// How many socket engine threads (epoll loops) there are. With inline completions the runtime
    /// starts one per core, so on two cores the SMTP dialogues of two engines, the pool workers and
    /// the spool's writer all wake each other across both cores. Half the cores (at least one)
    /// leaves the other half to the pool and the writer, and one engine's epoll_wait returns more
    /// events at a time. Measured on 2 cores (one engine against two, same runs,
    /// bench/results/relay-one-socket-engine-before-after-20261201T092941Z.md): 4 KB 0.666 → 0.513 ms
    /// CPU per relayed message (lower in each of 3 runs), 50 sessions 0.445 → 0.412, 100 KB 0.802 → 0.798.
    /// </summary>
    internal const string SocketEngineThreads = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>Sets each knob the environment leaves unset; read once by the runtime at the first socket operation.</summary>
    internal static void Apply()
    {
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        }

        if (Environment.GetEnvironmentVariable(SocketEngineThreads) is null)
        {
            Environment.SetEnvironmentVariable(SocketEngineThreads, EngineThreadsFor(Environment.ProcessorCount).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Half the cores, at least one.</summary>
    internal static int EngineThreadsFor(int cores) => Math.Max(1, cores / 2);
}
