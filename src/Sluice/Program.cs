using System.CommandLine;
using Sluice.Commands;

if (args.Length > 0 && args[0] == "balance")
{
    // A proxy does almost nothing per socket event, so a thread-pool hop per event and spinning
    // idle workers are most of its CPU. Completions run on the socket engine's threads instead, and
    // idle workers sleep at once: 0.42 -> 0.29 ms CPU per proxied connection (bench/balance).
    // Both are read when first used, which has not happened yet here. A node keeps the defaults:
    // its continuations do real work (parsing, spooling) that must not hold up socket events.
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
    AppContext.SetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0);
}

var root = new RootCommand("Sluice: an email delivery platform (MTA) for transactional and marketing mail.")
{
    ServeCommand.Create(),
    PasswdCommand.Create(),
    SinkCommand.Create(),
    QueueCommand.Create(),
    PoolsCommand.Create(),
    BalanceCommand.Create(),
    KeysCommand.Create(),
    SuppressionsCommand.Create(),
    TemplatesCommand.Create(),
    SendCommand.Create(),
};

// SIGTERM/Ctrl-C belong to the generic host, whose graceful stop (421 to idle sessions, spool
// writes finished) may take longer than System.CommandLine's default two-second grace.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
