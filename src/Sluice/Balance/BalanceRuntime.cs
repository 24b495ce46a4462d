namespace Sluice.Balance;

/// <summary>Runtime settings for the balancer process, applied before the host starts.</summary>
internal static class BalanceRuntime
{
    /// <summary>The proxy loops <paramref name="configured"/> asks for: 0 is half the cores, at least one.</summary>
    public static int SocketThreads(int configured) => configured > 0 ? configured : Math.Max(1, Environment.ProcessorCount / 2);

    public static void Apply()
    {
        // The proxy loops do the work; thread-pool workers only run health checks and the HTTP
        // endpoint, and an idle one should sleep at once instead of spinning for work first.
        AppContext.SetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0);
    }
}
