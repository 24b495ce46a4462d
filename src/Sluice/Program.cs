using System.CommandLine;
using Sluice.Commands;

// Before anything touches a socket: the runtime reads these once (RuntimeKnobs).
Sluice.RuntimeKnobs.Apply();

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
    TopCommand.Create(),
    WebhooksCommand.Create(),
    SendersCommand.Create(),
    DkimCommand.Create(),
    ClusterCommand.Create(),
};

// SIGTERM/Ctrl-C belong to the generic host, whose graceful stop (421 to idle sessions, spool
// writes finished) may take longer than System.CommandLine's default two-second grace.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
