using System.CommandLine;
using Sluice.Balance;
using Sluice.Configuration;

namespace Sluice.Commands;

/// <summary>
/// <c>sluice balance</c>: a TCP front door for SMTP in front of Sluice nodes, with the same
/// policies and health checks as relay pools, sending PROXY headers so nodes see real clients.
/// </summary>
internal static class BalanceCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "JSON configuration file with a Balance section; SLUICE__Balance__… variables override it." };
        var listen = new Option<string[]>("--listen") { Description = "Front-door ADDRESS:PORT (repeatable; default 127.0.0.1:2500)." };
        var node = new Option<string[]>("--node") { Description = "A node's SMTP ADDRESS:PORT, active tier (repeatable)." };
        var standby = new Option<string[]>("--standby") { Description = "A standby node's SMTP ADDRESS:PORT, used only when no active node is available (repeatable)." };
        var policy = new Option<string?>("--policy") { Description = "RoundRobin, WeightedRoundRobin, LeastConnections, PowerOfTwoChoices (default), Random or First." };
        var proxy = new Option<string?>("--proxy") { Description = "PROXY header to send to nodes: V2 (default), V1 or None." };
        var http = new Option<string?>("--http") { Description = "Health, metrics and pools ADDRESS:PORT (default 127.0.0.1:8026)." };
        var command = new Command("balance", "Balance SMTP connections over Sluice nodes: health checks, failover, PROXY protocol.")
        {
            config, listen, node, standby, policy, proxy, http,
        };

        command.SetAction(async (parse, ct) =>
        {
            BalanceOptions options;
            IConfigurationRoot configuration;
            try
            {
                configuration = BalanceConfiguration.Build(
                    parse.GetValue(config)?.FullName,
                    parse.GetValue(listen) ?? [],
                    parse.GetValue(node) ?? [],
                    parse.GetValue(standby) ?? [],
                    parse.GetValue(policy),
                    parse.GetValue(proxy),
                    parse.GetValue(http));
                options = BalanceConfiguration.Bind(configuration);
            }
            catch (ConfigurationException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 2;
            }

            await using var app = BalanceHost.Build(options, configuration, parse.GetValue(config)?.FullName);
            await app.RunAsync();
            return 0;
        });
        return command;
    }
}
