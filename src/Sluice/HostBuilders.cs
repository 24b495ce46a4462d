using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace Sluice;

/// <summary>What every long-running Sluice process (a node, a balancer) starts from: one-line UTC console logs (or ECS JSON lines) with levels per category, quiet framework logs, a graceful stop, and an HTTP/1.1 endpoint.</summary>
internal static class HostBuilders
{
    public static WebApplicationBuilder Create(string httpAddress, long? maxRequestBodySize = null, Logging.LoggingOptions? logging = null)
    {
        var builder = Bare();
        builder.Logging.ClearProviders();
        if (logging?.Format == Logging.LogFormat.Ecs)
        {
            builder.Logging.AddConsole(o => o.FormatterName = Logging.EcsConsoleFormatter.FormatName);
            builder.Logging.AddConsoleFormatter<Logging.EcsConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        if (logging?.Syslog.Address is not null)
        {
            // The host owns the sender (created by its factory, disposed at stop); the node's delivery events use it too.
            var sender = new Logging.SyslogSender(logging.Syslog, TimeProvider.System);
            builder.Services.AddSingleton(_ => sender);
            builder.Logging.AddProvider(new Logging.SyslogLoggerProvider(sender));
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        foreach (var (category, level) in logging?.LogLevel ?? [])
        {
            if (string.Equals(category, "Default", StringComparison.OrdinalIgnoreCase))
            {
                builder.Logging.SetMinimumLevel(level);
            }
            else
            {
                // The longest matching prefix wins, as with Logging:LogLevel in any .NET host.
                builder.Logging.AddFilter(category, level);
            }
        }

        // A start-up failure is told in one line by the command (StartupFailure); the host's own
        // "Hosting failed to start" would repeat it as a stack trace. A background service that
        // crashes the node is still reported: that message is Critical.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPEndPoint.Parse(httpAddress), l => l.Protocols = HttpProtocols.Http1);
            k.AddServerHeader = false;
            if (maxRequestBodySize is { } limit)
            {
                k.Limits.MaxRequestBodySize = limit;
            }
        });
        return builder;
    }

    /// <summary>A slim web host that reads no settings files of its own: Sluice's settings come from its own loader (<c>--config</c>, <c>SLUICE__</c> variables).</summary>
    public static WebApplicationBuilder Bare()
    {
        // The default host reads appsettings.json from the working directory and watches it with a
        // recursive inotify watch over the whole tree: with the spool under the working directory
        // (./build.sh serve keeps it in ./data) every spool and event-log write woke the watcher's
        // thread. And a stray appsettings.json there could add Kestrel endpoints or change log
        // levels behind the operator's configuration. So: no watch, and no settings files. Both
        // steps are needed: the watch is made when the file's source is built, and removing the
        // source afterwards leaves it in place (WorkingDirectoryTests fails without the argument).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        for (var i = builder.Configuration.Sources.Count - 1; i >= 0; i--)
        {
            if (builder.Configuration.Sources[i] is FileConfigurationSource)
            {
                builder.Configuration.Sources.RemoveAt(i);
            }
        }

        return builder;
    }
}
