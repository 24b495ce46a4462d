using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Core;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Bounces;
using Sluice.Delivery.Dispatch;
using Sluice.Delivery.Dns;
using Sluice.Core.Events;
using Sluice.Delivery.Pools;
using Sluice.Delivery.Queues;

namespace Sluice.Delivery;

/// <summary>Registers the delivery engine: resolver, the reloadable policy (routes, shaping, retries, egress), ready queues, bounces, dispatcher and scheduler.</summary>
public static class DeliveryServiceCollectionExtensions
{
    /// <summary>Bounce notices (RFC 3464): made by the delivery engine, and by an operator's bounce on any node, delivering or not.</summary>
    public static IServiceCollection AddSluiceBounces(this IServiceCollection services, string hostname)
    {
        services.AddSingleton(_ => new DsnBuilder(hostname));
        services.AddSingleton(sp => new BounceSender(
            sp.GetRequiredService<IMessageQueue>(),
            sp.GetRequiredService<DsnBuilder>(),
            sp.GetRequiredService<MessageIdGenerator>(),
            sp.GetRequiredService<ILogger<BounceSender>>(),
            sp.GetRequiredService<DeliveryEventLog>()));
        return services;
    }

    /// <param name="hostname">The node's name, for the DSNs it writes.</param>
    /// <param name="dataDirectory">Where the suspensions are kept.</param>
    public static IServiceCollection AddSluiceDelivery(this IServiceCollection services, DeliveryOptions delivery, string hostname, string dataDirectory, TimeProvider time)
    {
        OptionsValidation.Guard(delivery, new DeliveryOptionsValidator());
        services.AddSingleton(delivery);
        services.AddSingleton(sp => new MxResolver(MxResolver.CreateClient(delivery.Dns), delivery.Dns, time, sp.GetRequiredService<SluiceMetrics>(), shared: sp.GetService<Core.Cluster.ISharedCache>()));
        services.AddSingleton(sp =>
        {
            var holder = new DeliveryPolicyHolder(delivery, time, Random.Shared.NextDouble);
            var relays = sp.GetRequiredService<RelayPools>();
            var logger = sp.GetRequiredService<ILogger<RelayPools>>();
            holder.Reloaded += policy =>
            {
                foreach (var change in relays.Apply(policy.Options.Pools))
                {
                    PoolLog.Reloaded(logger, change);
                }
            };
            return holder;
        });
        services.AddSingleton(sp =>
        {
            var relays = new RelayPools(delivery.Pools, time, Random.Shared, sp.GetRequiredService<SluiceMetrics>());
            var logger = sp.GetRequiredService<ILogger<RelayPools>>();
            relays.Set.HealthChanged += (member, health, why) => PoolLog.HealthChanged(logger, member.Pool, member.Name, health.ToString(), why);
            return relays;
        });
        services.AddSingleton(sp => new ActiveHealthChecker(
            sp.GetRequiredService<RelayPools>().Set,
            new SmtpProbe(sp.GetRequiredService<MxResolver>(), time),
            delivery.Client.HeloName,
            time,
            sp.GetRequiredService<SluiceMetrics>()));
        services.AddHostedService(sp => sp.GetRequiredService<ActiveHealthChecker>());
        services.AddSingleton(_ => new Classification.BounceClassifier(
            delivery.BounceRulesFile is { } rules ? Classification.BounceClassifier.Load(rules) : []));
        services.AddSingleton(_ => new Suspensions(time, Path.Combine(dataDirectory, "suspensions.json")));
        services.AddSingleton(_ => new Egress.WarmUpLedger(time, Path.Combine(dataDirectory, "warmup.json")));
        services.AddSingleton(_ => new DeliveryCapacity(delivery.MaxConnections, delivery.Concurrency));
        services.AddSingleton(sp =>
        {
            var queue = sp.GetRequiredService<IMessageQueue>();
            var events = sp.GetRequiredService<DeliveryEventLog>();
            var queues = new ReadyQueues(new ReadyQueueContext(
                time,
                sp.GetRequiredService<DeliveryCapacity>(),
                sp.GetRequiredService<Suspensions>(),
                sp.GetRequiredService<Classification.BounceClassifier>(),
                delivery.MaxWaitingPerQueue,
                async (key, max) => await HeldMail.ReleaseAsync(queue, events, time, key, max),
                sp.GetRequiredService<ILogger<ReadyQueues>>(),
                sp.GetRequiredService<SluiceMetrics>(),
                () => sp.GetRequiredService<DeliveryPolicyHolder>().Current.ReplyRules,
                sp.GetService<TlsReporting.TlsReportLedger>(),
                sp.GetService<Core.Cluster.ISharedLimits>()));

            // A pool member that passes its probes again is back: its queue need not wait out a rest.
            sp.GetRequiredService<RelayPools>().Set.HealthChanged += (member, health, _) =>
            {
                if (health == Core.Balancing.MemberHealth.Healthy)
                {
                    queues.EndRests(RelayPoolDelivery.Site(member));
                }
            };
            return queues;
        });
        services.AddSingleton(sp =>
        {
            var control = new DeliveryControl(
                sp.GetRequiredService<Suspensions>(),
                sp.GetRequiredService<ReadyQueues>(),
                sp.GetRequiredService<IMessageQueue>(),
                sp.GetService<Reputation.SenderReputation>(),
                sp.GetRequiredService<Egress.WarmUpLedger>(),
                sp.GetRequiredService<DeliveryEventLog>(),
                time);

            // A reload may raise a warm-up allowance: what waits for one tries again.
            sp.GetRequiredService<DeliveryPolicyHolder>().Reloaded += policy => _ = control.ReleaseWarmUpAsync();
            return control;
        });
        services.AddSingleton(sp => new RelayPoolDelivery(
            sp.GetRequiredService<RelayPools>(),
            sp.GetRequiredService<MxResolver>(),
            sp.GetRequiredService<ReadyQueues>(),
            sp.GetRequiredService<Classification.BounceClassifier>(),
            sp.GetRequiredService<ILogger<RelayPoolDelivery>>(),
            sp.GetRequiredService<SluiceMetrics>()));
        services.AddSingleton(sp => new Settlement(
            sp.GetRequiredService<IMessageQueue>(),
            sp.GetRequiredService<BounceSender>(),
            sp.GetRequiredService<Classification.BounceClassifier>(),
            sp.GetRequiredService<DeliveryEventLog>(),
            sp.GetRequiredService<SluiceMetrics>(),
            time,
            sp.GetRequiredService<ILogger<Settlement>>(),
            sp.GetService<Reputation.SenderReputation>()));
        services.AddSingleton(sp => new Dispatcher(
            sp.GetRequiredService<IMessageQueue>(),
            sp.GetRequiredService<DeliveryPolicyHolder>(),
            new Destinations(sp.GetRequiredService<MxResolver>()),
            sp.GetRequiredService<ReadyQueues>(),
            sp.GetRequiredService<RelayPoolDelivery>(),
            sp.GetRequiredService<Settlement>(),
            time,
            sp.GetRequiredService<ILogger<Dispatcher>>(),
            sp.GetRequiredService<Core.State.SuppressionList>(),
            sp.GetService<Feedback.ReturnPaths>(),
            sp.GetService<Reputation.SenderReputation>(),
            sp.GetRequiredService<Egress.WarmUpLedger>(),
            delivery.MtaSts.Enabled ? sp.GetRequiredService<MtaSts.MtaStsResolver>() : null,
            sp.GetService<TlsReporting.TlsReportLedger>(),
            sp.GetRequiredService<DeliveryControl>()));
        if (delivery.TlsReporting.Enabled)
        {
            services.AddSingleton(sp =>
            {
                var sts = delivery.MtaSts.Enabled ? sp.GetRequiredService<MtaSts.MtaStsResolver>() : null;
                var ledger = new TlsReporting.TlsReportLedger(domain => sts?.Cached(domain), time);
                if (sts is not null)
                {
                    sts.FetchFailedFor += (domain, error) => ledger.Failed(domain, TlsReporting.TlsResultType.StsPolicyFetchError, null, null, null, error);
                }

                return ledger;
            });
            services.AddSingleton(sp => new TlsReporting.TlsReportSender(
                sp.GetRequiredService<TlsReporting.TlsReportLedger>(),
                sp.GetRequiredService<MxResolver>(),
                sp.GetRequiredService<IMessageQueue>(),
                sp.GetRequiredService<MessageIdGenerator>(),
                delivery.TlsReporting,
                hostname,
                time,
                sp.GetRequiredService<ILogger<TlsReporting.TlsReportSender>>(),
                sp.GetRequiredService<DeliveryEventLog>()));
            services.AddHostedService(sp => sp.GetRequiredService<TlsReporting.TlsReportSender>());
        }

        services.AddSingleton(sp => new MtaSts.MtaStsResolver(
            sp.GetRequiredService<MxResolver>(),
            delivery.MtaSts,
            time,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sluice.MtaSts"),
            Path.Combine(dataDirectory, "mta-sts.json")));
        services.AddSingleton(sp => new Scheduler(
            sp.GetRequiredService<IMessageQueue>(),
            sp.GetRequiredService<Dispatcher>(),
            sp.GetRequiredService<ReadyQueues>(),
            sp.GetRequiredService<DeliveryControl>(),
            delivery,
            time,
            sp.GetRequiredService<ILogger<Scheduler>>(),
            sp.GetRequiredService<SluiceMetrics>()));
        services.AddHostedService(sp => sp.GetRequiredService<Scheduler>());
        return services;
    }
}
