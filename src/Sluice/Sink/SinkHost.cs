using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sluice.Core.Telemetry;
using Sluice.Server.Configuration;
using Sluice.Server.Hosting;

namespace Sluice.Sink;

/// <summary>Composes a sink: the same SMTP server as a node, an intake that captures instead of queueing, a scripted behaviour, and <c>GET /stats</c>.</summary>
internal static class SinkHost
{
    public static WebApplication Build(SinkSettings settings, string dataDirectory)
    {
        var builder = HostBuilders.Bare();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // A sink refuses on purpose; its refusals are not warnings.
        builder.Logging.AddFilter("Sluice.Server", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        // Start-up failures are told in one line by the command; a crash is still Critical.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPEndPoint.Parse(settings.Http ?? "127.0.0.1:0"), l => l.Protocols = HttpProtocols.Http1);
            k.AddServerHeader = false;
        });

        var stats = new SinkStats();
        var options = new SmtpServerOptions { Hostname = settings.Hostname, Tls = { CertificateFile = settings.TlsCertificate, KeyFile = settings.TlsKey } };
        for (var i = 0; i < settings.Listen.Count; i++)
        {
            options.Listeners.Add(new SmtpListenerOptions
            {
                Name = $"sink{i}",
                Address = settings.Listen[i],
                Role = ListenerRole.Relay,
                TrustedNetworks = ["0.0.0.0/0", "::/0"],
                AllowPlaintextAuth = true,
                Limits = new SmtpLimits
                {
                    MaxErrors = int.MaxValue,
                    MaxConnections = 100_000,
                    MaxConnectionsPerClient = 100_000,
                    MaxRecipients = 100_000,
                    MaxMessageSize = settings.MaxSize,
                    MinDataRate = 0,
                },
            });
        }

        builder.Services.AddMetrics();
        builder.Services.AddSingleton<SluiceMetrics>();
        builder.Services.AddSingleton(stats);
        builder.Services.AddSingleton(sp => new SinkBehavior(settings, stats, TimeProvider.System));
        builder.Services.AddSingleton(sp => new SinkFeedbackReporter(settings, sp.GetRequiredService<ILogger<SinkFeedbackReporter>>()));
        builder.Services.AddSingleton(sp => new SmtpServer(
            options,
            dataDirectory,
            new Core.Intake.IntakeStage(new SinkStore(settings.Store, stats, sp.GetRequiredService<SinkFeedbackReporter>() is { Enabled: true } reporter ? reporter : null), Core.Intake.IntakePolicy.Open(TimeProvider.System), null, settings.Hostname ?? System.Net.Dns.GetHostName(), Path.Combine(dataDirectory, "tmp")),
            sp.GetRequiredService<SluiceMetrics>(),
            TimeProvider.System,
            sp.GetRequiredService<ILogger<SmtpServer>>(),
            sp.GetRequiredService<SinkBehavior>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SmtpServer>());

        var app = builder.Build();
        app.MapGet("/stats", (SinkStats s) => Results.Json(s.Snapshot()));

        // Ready only once every SMTP listener is bound: a client told "ok" must not find the port closed.
        app.MapGet("/healthz", (SmtpServer smtp) => smtp.BoundEndpoints.Count == settings.Listen.Count
            ? Results.Text("ok\n")
            : Results.Text("starting\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }
}
