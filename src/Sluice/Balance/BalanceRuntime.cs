namespace Sluice.Balance;

/// <summary>
/// Runtime settings for the balancer process, applied before its first socket: the runtime reads
/// them once, when the socket engine starts. A node keeps the defaults: its continuations do real
/// work (parsing, spooling) that must not hold up socket events.
/// </summary>
internal static class BalanceRuntime
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private const string EngineThreads = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>The socket threads <paramref name="configured"/> asks for: 0 is half the cores, at least one.</summary>
    public static int SocketThreads(int configured) => configured > 0 ? configured : Math.Max(1, Environment.ProcessorCount / 2);

    public static void Apply(BalanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // A proxy does almost nothing per socket event, so a thread-pool hop per event and spinning
        // idle workers were most of its CPU: completions run on the socket engine's threads instead,
        // and idle workers sleep at once (0.42 -> 0.29 ms CPU per proxied connection, bench/balance).
        Environment.SetEnvironmentVariable(InlineCompletions, "1");
        AppContext.SetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0);

        // With inline completions the runtime starts an epoll thread per core, and spreads a
        // connection's two sockets over different ones, so every reply crosses threads and wakes
        // both. Most of a proxied connection's cost is the kernel's TCP work, which needs the
        // cores too: on 2 cores one engine thread took 0.21 ms CPU per connection against 0.24 ms
        // with two (bench/balance). An operator's own DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT wins.
        if (options.SocketThreads > 0 || Environment.GetEnvironmentVariable(EngineThreads) is null)
        {
            Environment.SetEnvironmentVariable(EngineThreads, SocketThreads(options.SocketThreads).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
