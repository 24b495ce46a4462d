using System.CommandLine;
using Sluice.Configuration;

namespace Sluice.Commands;

/// <summary><c>sluice serve</c>: run a node. With no arguments: SMTP on 127.0.0.1:2525, HTTP on 127.0.0.1:8025, spool in ./data.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "JSON configuration file (appsettings-style); SLUICE__Section__Key variables override it." };
        var smtp = new Option<string[]>("--smtp") { Description = "SMTP listener ADDRESS:PORT (repeatable); replaces configured listeners.", AllowMultipleArgumentsPerToken = false };
        var http = new Option<string?>("--http") { Description = "HTTP API ADDRESS:PORT (default 127.0.0.1:8025)." };
        var data = new Option<string?>("--data") { Description = "Data folder for the spool (default ./data)." };
        var relayHost = new Option<string?>("--relay-host") { Description = "Send all mail to this smarthost HOST:PORT instead of MX (like Postfix's relayhost)." };
        var dns = new Option<string?>("--dns") { Description = "DNS resolver ADDRESS[:PORT] for MX lookups (default: the machine's)." };
        var noDelivery = new Option<bool>("--no-delivery") { Description = "Accept and queue only; deliver nothing." };
        var command = new Command("serve", "Run a Sluice node: SMTP listeners, HTTP API and the embedded spool.")
        {
            config, smtp, http, data, relayHost, dns, noDelivery,
        };

        command.SetAction(async (parse, ct) =>
        {
            SluiceOptions options;
            IConfigurationRoot configuration;
            try
            {
                configuration = SluiceConfiguration.Build(
                    parse.GetValue(config)?.FullName,
                    parse.GetValue(smtp) ?? [],
                    parse.GetValue(http),
                    parse.GetValue(data),
                    parse.GetValue(relayHost),
                    parse.GetValue(dns),
                    parse.GetValue(noDelivery));
                options = SluiceConfiguration.Bind(configuration);
            }
            catch (ConfigurationException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 2;
            }

            WebApplication app;
            try
            {
                app = NodeHost.Build(options, configuration: configuration, configFile: parse.GetValue(config)?.FullName);
            }
            catch (Exception ex) when (StartupFailure.IsOperatorProblem(ex))
            {
                await Console.Error.WriteLineAsync(StartupFailure.Describe(ex));
                return 2;
            }

            await using (app)
            {
                try
                {
                    await app.StartAsync(ct);
                }
                catch (Exception ex) when (StartupFailure.IsOperatorProblem(ex))
                {
                    await Console.Error.WriteLineAsync(StartupFailure.Describe(ex));
                    return 2;
                }

                await app.WaitForShutdownAsync(CancellationToken.None);
            }

            return 0;
        });
        return command;
    }
}
