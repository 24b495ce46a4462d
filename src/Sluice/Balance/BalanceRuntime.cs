namespace Sluice.Balance;

/// <summary>Runtime settings for the balancer process, applied before the host starts.</summary>
internal static class BalanceRuntime
{
    /// <summary>
    /// The proxy loops <paramref name="configured"/> asks for; 0 is one per core, as HAProxy's
    /// threads: on 2 cores one loop took 10% less CPU per connection but reached 6% less rate (its
    /// connections wait while the one thread is off the CPU; bench/balance).
    /// </summary>
    public static int SocketThreads(int configured) => configured > 0 ? configured : Environment.ProcessorCount;

    public static void Apply()
    {
        // The proxy loops do the work; thread-pool workers only run health checks and the HTTP
        // endpoint, and an idle one should sleep at once instead of spinning for work first.
        AppContext.SetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0);
    }
}
