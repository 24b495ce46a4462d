using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sluice.Configuration;
using Sluice.Core.Balancing;
using Sluice.Core.Proxy;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Pools;
using Sluice.Http;

namespace Sluice.Balance;

/// <summary>Composes <c>sluice balance</c>: the front door, health checks of the nodes, pools reloaded from the config, and an HTTP endpoint for health, metrics and the pools.</summary>
internal static class BalanceHost
{
    public static WebApplication Build(BalanceOptions options, IConfigurationRoot configuration, string? configFile, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var builder = HostBuilders.Create(options.Http, logging: options.Logging);

        builder.Services.AddSingleton(time);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<SluiceMetrics>();
        builder.Services.AddSingleton<MetricsExporter>();
        builder.Services.AddSingleton(sp =>
        {
            var set = new BalancerPoolSet(options.Pools, time, Random.Shared);
            var logger = sp.GetRequiredService<ILogger<BalancerService>>();
            set.HealthChanged += (member, health, why) => BalanceLog.HealthChanged(logger, member.Pool, member.Name, health.ToString(), why);
            BalancerMetrics.Register(sp.GetRequiredService<SluiceMetrics>().Meter, set, "{connection}", "Client connections proxied to each node now.");
            return set;
        });
        builder.Services.AddSingleton(sp => new BalancerService(options, sp.GetRequiredService<BalancerPoolSet>(), sp.GetRequiredService<SluiceMetrics>(), time, sp.GetRequiredService<ILogger<BalancerService>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BalancerService>());

        // Nodes that expect PROXY from us would wait for a header before greeting a probe: it says LOCAL.
        var preamble = options.ProxyProtocol switch
        {
            ProxyProtocolVersion.V2 => ProxyProtocol.WriteV2Local(),
            ProxyProtocolVersion.V1 => "PROXY UNKNOWN\r\n"u8.ToArray(),
            _ => [],
        };
        builder.Services.AddSingleton(sp => new ActiveHealthChecker(
            sp.GetRequiredService<BalancerPoolSet>(),
            new SmtpProbe(new MxResolver(MxResolver.CreateClient(new DnsOptions()), new DnsOptions(), time), time, preamble),
            Dns.GetHostName(),
            time,
            sp.GetRequiredService<SluiceMetrics>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ActiveHealthChecker>());
        builder.Services.AddSingleton(sp =>
        {
            var set = sp.GetRequiredService<BalancerPoolSet>();
            var logger = sp.GetRequiredService<ILogger<BalancerService>>();
            return new ConfigurationReloader(
                configuration,
                configFile,
                root =>
                {
                    // Pools (members, weights, tiers, health settings) are live; listeners and HTTP take effect on restart.
                    var reloaded = BalanceConfiguration.Bind(root);
                    var changes = set.Apply(reloaded.Pools);
                    foreach (var change in changes)
                    {
                        BalanceLog.Reloaded(logger, change);
                    }

                    return $"{reloaded.Pools.Count} pools, {changes.Count} changes";
                },
                time,
                sp.GetRequiredService<ILogger<ConfigurationReloader>>());
        });
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigurationReloader>());
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);

        var app = builder.Build();
        app.Services.GetRequiredService<MetricsExporter>();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/metrics", (MetricsExporter exporter) => Results.Text(exporter.Export(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapGet("/api/v1/pools", (BalancerPoolSet set) => Results.Ok(PoolsEndpoints.View(set)));
        return app;
    }
}
