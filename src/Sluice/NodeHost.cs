using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sluice.Configuration;
using Sluice.Core.Intake;
using Sluice.Core.Queue;
using Sluice.Core.Telemetry;
using Sluice.Http;
using Sluice.Delivery;
using Sluice.Server.Hosting;
using Sluice.Storage;

namespace Sluice;

/// <summary>Composes one node: spool, SMTP server, HTTP endpoints and telemetry in one host.</summary>
internal static class NodeHost
{
    /// <param name="configuration">The configuration the options came from; given, the delivery policy reloads live from it.</param>
    /// <param name="configFile">The --config file to watch for changes.</param>
    public static WebApplication Build(SluiceOptions options, TimeProvider? time = null, IConfigurationRoot? configuration = null, string? configFile = null)
    {
        // Attachments arrive base64 in JSON: a third larger than the message they build.
        var builder = HostBuilders.Create(options.Http.Address, (options.Http.MaxMessageSize * 3 / 2) + (1024 * 1024), options.Logging);

        time ??= TimeProvider.System;
        var hostname = options.Smtp.Hostname ?? Dns.GetHostName();
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(options);
        if (options.Logging.Amqp.Uri is not null)
        {
            builder.Services.AddSingleton(sp => new Logging.AmqpEventPublisher(options.Logging.Amqp, time, sp.GetRequiredService<ILogger<Logging.AmqpEventPublisher>>()));
        }
        builder.Services.AddMetrics();
        Telemetry.OtlpMetricsExport.Add(builder.Services, options.Metrics.Otlp, hostname);
        builder.Services.AddSingleton<SluiceMetrics>();
        builder.Services.AddSingleton<MetricsExporter>();
        builder.Services.AddSluiceStorage(
            options.Spool,
            time,
            options.Cluster.Postgres.Enabled ? sp => sp.GetRequiredService<Postgres.PostgresDatabase>().CreateStateStore() : null,
            options.Cluster.RabbitMq.Enabled ? sp => sp.GetRequiredService<RabbitMq.RabbitMqQueue>() : null);
        if (options.Cluster.RabbitMq.Enabled)
        {
            // Connects in the background: the node starts while the brokers are away and refuses mail (451 / 503) until they answer.
            builder.Services.AddSingleton(sp => RabbitMq.RabbitMqQueue.Start(
                options.Cluster.RabbitMq,
                time,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sluice.RabbitMq"),
                sp.GetService<Postgres.DeliveredLedger>(),
                // With the shared index, listings show what the whole cluster holds.
                options.Cluster.Postgres.Enabled ? sp.GetRequiredService<Core.Events.SqlEventIndex>() : null,
                options.Delivery.Retry.MaxAge + TimeSpan.FromDays(1),
                consumes: options.Delivery.Enabled));
            if (options.Cluster.Postgres.Enabled)
            {
                // Kept a day longer than any message may stay queued.
                builder.Services.AddSingleton(sp => new Postgres.DeliveredLedger(sp.GetRequiredService<Postgres.PostgresDatabase>(), options.Delivery.Retry.MaxAge + TimeSpan.FromDays(1), time, sp.GetRequiredService<ILogger<Postgres.DeliveredLedger>>(), sp.GetService<Core.Cluster.ILeadership>()));
            }

            builder.Services.AddSingleton(sp => new Cluster.LocalSpoolDrain(sp.GetRequiredService<SqliteSpool>(), sp.GetRequiredService<RabbitMq.RabbitMqQueue>(), time, sp.GetRequiredService<ILogger<Cluster.LocalSpoolDrain>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Cluster.LocalSpoolDrain>());
        }

        if (options.Cluster.Redis.Enabled)
        {
            // Connects in the background: a node whose Redis is away starts on its share of each limit.
            builder.Services.AddSingleton(sp => Redis.RedisLink.Connect(options.Cluster.Redis, ClusterEndpoints.NodeName(options), time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sluice.Redis")));
            builder.Services.AddSingleton(sp => new Redis.RedisLimits(sp.GetRequiredService<Redis.RedisLink>()));
            builder.Services.AddSingleton<Core.Cluster.ISharedLimits>(sp => sp.GetRequiredService<Redis.RedisLimits>());
            builder.Services.AddSingleton(sp => new Redis.RedisLeader(sp.GetRequiredService<Redis.RedisLink>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sluice.Redis")));
            builder.Services.AddSingleton<Core.Cluster.ILeadership>(sp => sp.GetRequiredService<Redis.RedisLeader>());
            builder.Services.AddSingleton<Core.Cluster.ISharedCache>(sp => new Redis.RedisCache(sp.GetRequiredService<Redis.RedisLink>()));
            builder.Services.AddSingleton<Redis.RedisHeartbeat>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Redis.RedisHeartbeat>());

            // Brakes judge a sender on the whole cluster's mail (ADR 0038).
            builder.Services.AddSingleton<Core.Cluster.ISharedRates>(sp => new Redis.RedisRates(sp.GetRequiredService<Redis.RedisLink>()));
            builder.Services.AddSingleton(sp => new Cluster.SenderRatesExchange(
                sp.GetRequiredService<Delivery.Reputation.SenderRates>(),
                sp.GetRequiredService<Core.Cluster.ISharedRates>(),
                options.Reputation,
                time,
                sp.GetRequiredService<ILogger<Cluster.SenderRatesExchange>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Cluster.SenderRatesExchange>());
        }

        if (options.Cluster.Postgres.Enabled)
        {
            // Resolved when the first store is: at start, before the listeners open. A database out
            // of reach is waited for (Cluster:Postgres:StartTimeout), then the node stops with one line.
            builder.Services.AddSingleton(sp => Postgres.PostgresDatabase.OpenAsync(
                options.Cluster.Postgres, time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sluice.Postgres"), CancellationToken.None).GetAwaiter().GetResult());
            builder.Services.AddSingleton<Core.State.IStateChangeObserver>(sp => new Cluster.SharedStateFollower(
                sp.GetRequiredService<Core.State.ISuppressionStore>(),
                sp.GetRequiredService<Core.State.SuppressionList>(),
                sp.GetRequiredService<Core.Templates.TemplateCache>(),
                sp.GetRequiredService<ApiKeyAuthentication>(),
                sp.GetRequiredService<Core.State.SqlStateStore>(),
                sp.GetService<Delivery.Dispatch.DeliveryControl>(),
                time));
            builder.Services.AddSingleton(sp => new Cluster.SharedPauseWriter(
                sp.GetRequiredService<Delivery.Reputation.SenderReputation>(),
                sp.GetRequiredService<Core.State.SqlStateStore>(),
                time,
                sp.GetRequiredService<ILogger<Cluster.SharedPauseWriter>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Cluster.SharedPauseWriter>());
            builder.Services.AddSingleton<Postgres.StateChangeListener>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Postgres.StateChangeListener>());
            builder.Services.AddSingleton(sp => new Postgres.NodeRegistry(
                sp.GetRequiredService<Postgres.PostgresDatabase>(),
                new Postgres.ClusterNode(
                    ClusterEndpoints.NodeName(options),
                    options.Cluster.RoleName,
                    options.Http.Address,
                    ClusterEndpoints.Version,
                    time.GetUtcNow(),
                    time.GetUtcNow()),
                time,
                sp.GetRequiredService<ILogger<Postgres.NodeRegistry>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Postgres.NodeRegistry>());
        }

        builder.Services.AddSingleton(sp => new IntakeStage(
            sp.GetRequiredService<IMessageQueue>(),
            new IntakePolicy(options.Smtp.LocalDomains, sp.GetRequiredService<Core.State.SuppressionList>(), sp.GetRequiredService<Delivery.Dns.RecipientValidator>(), time),
            sp.GetRequiredService<Core.Events.DeliveryEventLog>(),
            hostname,
            Path.Combine(options.Node.DataDirectory, "tmp"),
            sp.GetRequiredService<Delivery.Dkim.DkimSigning>(),
            sp.GetRequiredService<SluiceMetrics>(),
            options.Dkim.CheckAlignment ? sp.GetRequiredService<Delivery.Alignment.AlignmentCheck>() : null));
        builder.Services.AddSingleton(sp => new Delivery.Alignment.AlignmentCheck(
            sp.GetRequiredService<Delivery.Dns.MxResolver>(),
            Delivery.Alignment.PublicSuffixList.Load(),
            options.Feedback.ReturnPathDomain,
            sp.GetRequiredService<Core.Events.DeliveryEventLog>(),
            sp.GetRequiredService<SluiceMetrics>(),
            time,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sluice.Alignment")));
        builder.Services.AddSingleton(_ =>
        {
            var dkim = new Delivery.Dkim.DkimSigning();
            dkim.Apply(options.Dkim.Keys);
            return dkim;
        });
        builder.Services.AddSingleton<IMessageIntake>(sp => sp.GetRequiredService<IntakeStage>());

        // Feedback listeners read reports instead of queueing them.
        builder.Services.AddKeyedSingleton<IMessageIntake>(Server.Configuration.ListenerRole.Feedback, (sp, _) => new Delivery.Feedback.FeedbackIntake(
            sp.GetRequiredService<Core.Events.DeliveryEventLog>(),
            sp.GetRequiredService<Core.Events.IMessageIndex>(),
            sp.GetRequiredService<Delivery.Reputation.SenderReputation>(),
            sp.GetService<Delivery.Classification.BounceClassifier>() ?? new Delivery.Classification.BounceClassifier([]),
            sp.GetRequiredService<Delivery.Feedback.SignedTokens>(),
            sp.GetRequiredService<Delivery.Feedback.Unsubscriber>(),
            sp.GetRequiredService<SluiceMetrics>(),
            time,
            sp.GetRequiredService<ILogger<Delivery.Feedback.FeedbackIntake>>()));
        builder.Services.AddSingleton(sp => new Delivery.Reputation.SenderRates(options.Reputation, time, sp.GetRequiredService<SluiceMetrics>()));
        builder.Services.AddSingleton(_ => new Delivery.Reputation.SenderPauses(time, Path.Combine(options.Node.DataDirectory, "pauses.json")));
        builder.Services.AddSingleton(sp =>
        {
            var reputation = new Delivery.Reputation.SenderReputation(
                sp.GetRequiredService<Delivery.Reputation.SenderRates>(),
                sp.GetRequiredService<Delivery.Reputation.SenderPauses>(),
                options.Reputation,
                options.Feedback,
                sp.GetRequiredService<Core.State.ISuppressionStore>(),
                sp.GetRequiredService<Core.State.SuppressionList>(),
                sp.GetRequiredService<Core.State.ISoftBounceLedger>(),
                sp.GetRequiredService<Core.Events.DeliveryEventLog>(),
                sp.GetRequiredService<SluiceMetrics>(),
                time,
                sp.GetRequiredService<ILogger<Delivery.Reputation.SenderReputation>>());
            sp.GetRequiredService<SluiceMetrics>().ObserveReputation(reputation.BounceRates, reputation.ComplaintRates, reputation.PausedCounts);
            return reputation;
        });
        builder.Services.AddSingleton(_ => new Core.Messages.MessageIdGenerator(time));
        builder.Services.AddSluiceSmtp(options.Smtp, options.Node.DataDirectory, time);
        builder.Services.AddHostedService(sp => new SuppressionLoader(sp.GetRequiredService<Core.State.ISuppressionStore>(), sp.GetRequiredService<Core.State.SuppressionList>()));
        builder.Services.AddSingleton(sp =>
        {
            // After the spool (its open may give up the disk reserve that lets this one open). In a
            // cluster the index is the shared one in PostgreSQL, pruned by the leader when there is one.
            var spool = sp.GetRequiredService<SqliteSpool>();
            Core.Events.EventIndexDatabase database = options.Cluster.Postgres.Enabled
                ? new Postgres.PostgresEventDatabase(sp.GetRequiredService<Postgres.PostgresDatabase>())
                : Storage.Events.SqliteEventDatabase.Open(options.Node.DataDirectory, mayWrite: () => !spool.ShortOfSpace);
            var leadership = sp.GetService<Core.Cluster.ILeadership>();
            var index = Core.Events.SqlEventIndex.Start(
                database,
                time,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sluice.Index"),
                maxAge: options.Logging.Events.MaxAge,
                mayPrune: leadership is null ? null : () => leadership.IsLeader);
            sp.GetRequiredService<SluiceMetrics>().ObserveIndex(() => index.Backlog, () => index.Dropped);
            return index;
        });
        builder.Services.AddSingleton<Core.Events.IMessageIndex>(sp => sp.GetRequiredService<Core.Events.SqlEventIndex>());
        builder.Services.AddSingleton<Core.Webhooks.IWebhookStore>(sp => new Core.Webhooks.SqlWebhookStore(sp.GetRequiredService<Core.Events.SqlEventIndex>().Database));
        builder.Services.AddSingleton(options.Webhooks);
        builder.Services.AddSingleton(new DataDirectoryUsage(options.Node.DataDirectory));
        builder.Services.AddSingleton<Dashboard.EventRates>();
        builder.Services.AddSingleton<Dashboard.DashboardSessions>();
        builder.Services.AddSingleton<Dashboard.ResourceSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Dashboard.ResourceSampler>());
        builder.Services.AddSingleton(sp => new QueueActions(
            sp.GetRequiredService<IMessageQueue>(),
            sp.GetService<Delivery.Dispatch.DeliveryControl>(),
            sp.GetRequiredService<Core.Events.DeliveryEventLog>(),
            time,
            sp.GetRequiredService<Delivery.Reputation.SenderReputation>(),
            options.Cluster.Postgres.Enabled ? sp.GetRequiredService<Core.State.SqlStateStore>() : null));
        builder.Services.AddSingleton(sp => new Webhooks.WebhookDispatcher(
            sp.GetRequiredService<Core.Webhooks.IWebhookStore>(),
            sp.GetRequiredService<Core.Events.IMessageIndex>(),
            options.Webhooks,
            time,
            sp.GetRequiredService<SluiceMetrics>(),
            sp.GetRequiredService<ILogger<Webhooks.WebhookDispatcher>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Webhooks.WebhookDispatcher>());
        builder.Services.AddSingleton(sp =>
        {
            var spool = sp.GetRequiredService<SqliteSpool>();
            var sinks = new List<Core.Events.IEventSink> { sp.GetRequiredService<Core.Events.SqlEventIndex>(), sp.GetRequiredService<Dashboard.EventRates>() };
            var syslog = options.Logging.Syslog.Events ? sp.GetService<Logging.SyslogSender>() : null;
            var amqp = sp.GetService<Logging.AmqpEventPublisher>();
            if (syslog is not null || amqp is not null)
            {
                sinks.Add(new Logging.LogShippingSink(syslog, amqp));
            }

            var log = new Core.Events.DeliveryEventLog(
                Path.Combine(options.Node.DataDirectory, "events"),
                time,
                mayWrite: () => !spool.ShortOfSpace,
                sinks: sinks,
                maxAge: options.Logging.Events.MaxAge,
                maxBytes: options.Logging.Events.MaxBytes);
            sp.GetRequiredService<SluiceMetrics>().ObserveEventsDropped(() => log.Dropped);
            return log;
        });
        builder.Services.AddSluiceBounces(hostname);
        if (options.Delivery.Enabled)
        {
            builder.Services.AddSluiceDelivery(options.Delivery, hostname, options.Node.DataDirectory, time);
            if (configuration is not null)
            {
                builder.Services.AddSingleton(sp =>
                {
                    var holder = sp.GetRequiredService<Delivery.Dispatch.DeliveryPolicyHolder>();
                    return new ConfigurationReloader(
                        configuration,
                        configFile,
                        root =>
                        {
                            // Delivery routes, shaping, retries, egress, client settings, relay pools and DKIM keys are live; other sections take effect on restart.
                            var bound = SluiceConfiguration.Bind(root);
                            var delivery = bound.Delivery;
                            var dkim = sp.GetRequiredService<Delivery.Dkim.DkimSigning>();
                            dkim.Apply(bound.Dkim.Keys);
                            var policy = holder.Apply(delivery);
                            return string.Create(
                                System.Globalization.CultureInfo.InvariantCulture,
                                $"delivery policy generation {policy.Generation}, {delivery.Routes.Count} routes, {delivery.Pools.Count} relay pools, {delivery.Shaping.Providers.Count} shaping providers, {delivery.Shaping.Domains.Count} shaping domains, {dkim.KeyCount} DKIM keys");
                        },
                        time,
                        sp.GetRequiredService<ILogger<ConfigurationReloader>>());
                });
                builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigurationReloader>());
            }
        }

        builder.Services.AddSingleton<Core.State.SuppressionList>();
        builder.Services.AddSingleton(sp => new Core.Templates.TemplateEngine(sp.GetRequiredService<SluiceMetrics>()));
        builder.Services.AddSingleton(sp => new Submission(
            sp.GetRequiredService<IntakeStage>(),
            sp.GetRequiredService<Core.Messages.MessageIdGenerator>(),
            sp.GetRequiredService<Core.Templates.TemplateCache>(),
            sp.GetRequiredService<Core.Templates.TemplateEngine>(),
            options,
            time,
            sp.GetRequiredService<Unsubscribe.UnsubscribeLinks>()));
        builder.Services.AddSingleton(_ => Delivery.Feedback.SignedTokens.Load(options.Unsubscribe.Secret, options.Node.DataDirectory));
        builder.Services.AddSingleton(sp => new Delivery.Feedback.ReturnPaths(sp.GetRequiredService<Delivery.Feedback.SignedTokens>(), options.Feedback.ReturnPathDomain));
        builder.Services.AddSingleton(sp => new Unsubscribe.UnsubscribeLinks(options.Unsubscribe, sp.GetRequiredService<Delivery.Feedback.SignedTokens>()));
        builder.Services.AddSingleton<Delivery.Feedback.Unsubscriber>();
        if (!options.Delivery.Enabled)
        {
            // Validation at submission still looks domains up when this node does not deliver.
            builder.Services.AddSingleton(sp => new Delivery.Dns.MxResolver(Delivery.Dns.MxResolver.CreateClient(options.Delivery.Dns), options.Delivery.Dns, time, sp.GetRequiredService<SluiceMetrics>()));
        }

        builder.Services.AddSingleton(sp => new Delivery.Dns.RecipientValidator(sp.GetRequiredService<Delivery.Dns.MxResolver>(), sp.GetRequiredService<SluiceMetrics>(), time, sp.GetService<Core.Cluster.ISharedCache>()));
        builder.Services.AddSingleton(sp => new Core.Templates.TemplateCache(
            sp.GetRequiredService<Core.State.ITemplateStore>(),
            sp.GetRequiredService<Core.Templates.TemplateEngine>(),
            sp.GetRequiredService<SluiceMetrics>(),
            shared: options.Cluster.Postgres.Enabled ? sp.GetService<Core.Cluster.ISharedCache>() : null));
        builder.Services.AddSingleton(sp => new ApiKeyAuthentication(
            sp.GetRequiredService<Core.State.IApiKeyStore>(),
            time,
            options.Http.MetricsNetworks.ConvertAll(System.Net.IPNetwork.Parse),
            options.Cluster.Postgres.Enabled ? sp.GetService<Core.Cluster.ISharedCache>() : null));
        builder.Services.AddSingleton(sp => new ApiKeyBootstrap(sp.GetRequiredService<Core.State.IApiKeyStore>(), options.Node.DataDirectory, time, sp.GetRequiredService<ILogger<ApiKeyBootstrap>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ApiKeyBootstrap>());
        builder.Services.AddRateLimiter(limiter =>
        {
            // Per API key (RFC 6585 429 over the limit); requests without a key never get this far.
            limiter.GlobalLimiter = System.Threading.RateLimiting.PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Items[ApiKeyAuthentication.ItemKey] is Core.State.ApiKey key
                    ? System.Threading.RateLimiting.RateLimitPartition.GetTokenBucketLimiter(key.Id, _ => new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
                    {
                        TokenLimit = 2 * (key.RequestsPerSecond ?? options.Http.RequestsPerSecond),
                        TokensPerPeriod = key.RequestsPerSecond ?? options.Http.RequestsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : System.Threading.RateLimiting.RateLimitPartition.GetNoLimiter(string.Empty));
            limiter.OnRejected = async (rejected, ct) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = "1";
                await ApiKeyAuthentication.Problem(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests", "This API key is over its request rate; retry after a second.");
            };
        });
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new() { Title = "Sluice", Version = "v1", Description = "Send mail, manage templates and suppressions, operate the queue. Every endpoint but health needs 'Authorization: Bearer sk_…'." };
            return Task.CompletedTask;
        }));
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });

        // A body or query that does not bind throws, so that BadRequestProblems can say which field and why.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails();

        var app = builder.Build();

        // Created now, not on the first scrape: a listener only sees measurements made after it starts.
        app.Services.GetRequiredService<MetricsExporter>();
        var usage = app.Services.GetRequiredService<DataDirectoryUsage>();
        app.Services.GetRequiredService<SluiceMetrics>().ObserveDisk(() => usage.Free, () => usage.Total, () => usage.Used);
        app.UseStatusCodePages();
        app.Use(BadRequestProblems.InvokeAsync);
        app.Use(StateStoreProblems.InvokeAsync);
        app.UseRouting();
        var auth = app.Services.GetRequiredService<ApiKeyAuthentication>();
        app.Use(next => context => auth.InvokeAsync(context, next));
        app.UseRateLimiter();
        HttpEndpoints.Map(app);
        QueueOperationsEndpoints.Map(app);
        DeliveryPolicyEndpoints.Map(app);
        PoolsEndpoints.Map(app);
        KeysEndpoints.Map(app);
        MessagesEndpoints.Map(app);
        SuppressionsEndpoints.Map(app);
        TemplatesEndpoints.Map(app);
        BatchesEndpoints.Map(app);
        WebhooksEndpoints.Map(app);
        StatsEndpoints.Map(app);
        SendersEndpoints.Map(app);
        ClusterEndpoints.Map(app);
        Dashboard.DashboardEndpoints.Map(app);
        Unsubscribe.UnsubscribeEndpoints.Map(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        return app;
    }
}
