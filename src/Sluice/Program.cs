using System.CommandLine;
using Sluice.Commands;

var root = new RootCommand("Sluice: an email delivery platform (MTA) for transactional and marketing mail.")
{
    ServeCommand.Create(),
    PasswdCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
