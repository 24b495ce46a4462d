namespace Sluice.Balance;

/// <summary>How many proxy loops the balancer runs (idle thread-pool workers already sleep at once: the runtime configuration of the executable, Sluice.csproj).</summary>
internal static class BalanceRuntime
{
    /// <summary>
    /// The proxy loops <paramref name="configured"/> asks for; 0 is one per core, as HAProxy's
    /// threads: on 2 cores one loop took 10% less CPU per connection but reached 6% less rate (its
    /// connections wait while the one thread is off the CPU; bench/balance).
    /// </summary>
    public static int SocketThreads(int configured) => configured > 0 ? configured : Environment.ProcessorCount;
}
