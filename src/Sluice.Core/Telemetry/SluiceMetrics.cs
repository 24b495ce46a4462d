using System.Diagnostics.Metrics;

namespace Sluice.Core.Telemetry;

/// <summary>
/// The node's instruments, all named <c>sluice.*</c>. One instance per node, created from the
/// host's <see cref="IMeterFactory"/> so tests can collect them in isolation.
/// </summary>
public sealed class SluiceMetrics
{
    public const string MeterName = "Sluice";

    private Counter<long>? _balanceConnections;
    private UpDownCounter<long>? _balanceConnectionsOpen;
    private Counter<long>? _poolSelections;
    private Counter<long>? _poolFailures;
    private Counter<long>? _webhookPosts;
    private Counter<long>? _unsubscribes;
    private Counter<long>? _feedbackReports;
    private Counter<long>? _feedbackComplaints;
    private Counter<long>? _feedbackBounces;
    private Counter<long>? _webhookEvents;
    private Counter<long>? _senderPauses;
    private Counter<long>? _suppressionsAdded;
    private Counter<long>? _sendersUntracked;
    private Counter<long>? _replyShapingActions;
    private Counter<long>? _alignment;

    public SluiceMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        ConnectionsCurrent = Meter.CreateUpDownCounter<long>("sluice.smtp.connections.current", "{connection}", "Open SMTP connections.");
        ConnectionsTotal = Meter.CreateCounter<long>("sluice.smtp.connections", "{connection}", "SMTP connections accepted since start.");
        ConnectionsRefused = Meter.CreateCounter<long>("sluice.smtp.connections.refused", "{connection}", "SMTP connections refused by a connection limit.");
        ListenersStressed = Meter.CreateUpDownCounter<long>("sluice.smtp.listeners.stressed", "{listener}", "SMTP listeners under stress now (past their connection high-water mark, timeouts shortened).");
        Commands = Meter.CreateCounter<long>("sluice.smtp.commands", "{command}", "SMTP commands received, by verb.");
        Replies = Meter.CreateCounter<long>("sluice.smtp.replies", "{reply}", "SMTP replies sent, by class (2xx, 3xx, 4xx, 5xx).");
        MessagesAccepted = Meter.CreateCounter<long>("sluice.messages.accepted", "{message}", "Messages made durable and acknowledged, by protocol (smtp, http) and sending domain.");
        MessagesRejected = Meter.CreateCounter<long>("sluice.messages.rejected", "{message}", "Messages refused at the end of DATA/BDAT, by reason.");
        BytesAccepted = Meter.CreateCounter<long>("sluice.messages.accepted.bytes", "By", "Bytes of accepted messages as stored.");
        DeliveryOutcomes = Meter.CreateCounter<long>("sluice.delivery.outcomes", "{recipient}", "Delivery attempt outcomes per recipient, by outcome (delivered, transient, bounced, expired), classification, destination site and sending domain.");
        DeliveryLatency = Meter.CreateHistogram<double>(
            "sluice.delivery.latency",
            "s",
            "Time from reception to successful delivery.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400] });
        OutboundConnectionsOpened = Meter.CreateCounter<long>("sluice.delivery.connections.opened", "{connection}", "Outbound SMTP connections opened, by site.");
        OutboundConnectionsFailed = Meter.CreateCounter<long>("sluice.delivery.connections.failed", "{connection}", "Outbound connections that could not be set up, by site and reason (the typed cause).");
        OutboundConnectionsReused = Meter.CreateCounter<long>("sluice.delivery.connections.reused", "{connection}", "Messages sent over an already open cached connection, by site.");
        OutboundConnectionsOpen = Meter.CreateUpDownCounter<long>("sluice.delivery.connections.open", "{connection}", "Outbound SMTP connections open now.");
        DeliveryHeld = Meter.CreateCounter<long>("sluice.delivery.held", "{message}", "Messages held back without an attempt, by reason (suspended, resting, waiting: their destination has enough queued).");
        ValidationCache = Meter.CreateCounter<long>("sluice.validation.cache", "{lookup}", "Recipient-domain validation lookups by cache result (hit, shared: from the cluster's cache, miss).");
        TemplateParses = Meter.CreateCounter<long>("sluice.template.parses", "{part}", "Template parts parsed (a cached template is never parsed again).");
        TemplateCache = Meter.CreateCounter<long>("sluice.template.cache", "{lookup}", "Compiled-template lookups by result (hit, shared: from the cluster's cache, miss).");
        PoolProbeDuration = Meter.CreateHistogram<double>("sluice.pool.probe.duration", "s", "Active health probe latency, by pool, member and result.");
        DnsLookups = Meter.CreateCounter<long>("sluice.dns.lookups", "{lookup}", "Destination-domain resolutions, by cache result (hit: this node's cache, shared: another node's answer from the cluster's cache, miss: asked the DNS).");
        SpoolWriteDuration = Meter.CreateHistogram<double>(
            "sluice.spool.write.duration",
            "s",
            "Time from handing a message to the spool to it being durable (includes waiting for the group commit).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        SpoolBatchSize = Meter.CreateHistogram<long>(
            "sluice.spool.commit.messages",
            "{message}",
            "Messages made durable per group commit (one fsync).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
    }

    public Meter Meter { get; }

    public UpDownCounter<long> ConnectionsCurrent { get; }

    public Counter<long> ConnectionsTotal { get; }

    public Counter<long> ConnectionsRefused { get; }

    public UpDownCounter<long> ListenersStressed { get; }

    public Counter<long> Commands { get; }

    public Counter<long> Replies { get; }

    public Counter<long> MessagesAccepted { get; }

    public Counter<long> MessagesRejected { get; }

    public Counter<long> BytesAccepted { get; }

    public Counter<long> DnsLookups { get; }

    public Counter<long> TemplateCache { get; }

    public Counter<long> TemplateParses { get; }

    public Counter<long> ValidationCache { get; }

    /// <summary>Created on first use, so that only a process that balances exports the series (the same below for pools).</summary>
    public Counter<long> BalanceConnections => LazyInitializer.EnsureInitialized(ref _balanceConnections, () => Meter.CreateCounter<long>("sluice.balance.connections", "{connection}", "Client connections accepted by the balancer."));

    public UpDownCounter<long> BalanceConnectionsOpen => LazyInitializer.EnsureInitialized(ref _balanceConnectionsOpen, () => Meter.CreateUpDownCounter<long>("sluice.balance.connections.open", "{connection}", "Client connections the balancer is proxying now."));

    public Counter<long> PoolSelections => LazyInitializer.EnsureInitialized(ref _poolSelections, () => Meter.CreateCounter<long>("sluice.pool.member.selected", "{message}", "Messages sent to a pool member, by pool and member."));

    public Counter<long> PoolFailures => LazyInitializer.EnsureInitialized(ref _poolFailures, () => Meter.CreateCounter<long>("sluice.pool.member.failures", "{attempt}", "Attempts that failed by the member's fault, by pool, member and reason."));

    public Counter<long> FeedbackReports => LazyInitializer.EnsureInitialized(ref _feedbackReports, () => Meter.CreateCounter<long>("sluice.feedback.reports", "{report}", "Reports read on Feedback listeners, by result (complaint, bounce, unmatched: not one of ours, not_a_report)."));

    public Counter<long> FeedbackComplaints => LazyInitializer.EnsureInitialized(ref _feedbackComplaints, () => Meter.CreateCounter<long>("sluice.feedback.complaints", "{complaint}", "Complaints (RFC 5965 ARF) received, by sending domain and feedback type."));

    public Counter<long> FeedbackBounces => LazyInitializer.EnsureInitialized(ref _feedbackBounces, () => Meter.CreateCounter<long>("sluice.feedback.bounces", "{recipient}", "Bounces received after delivery (RFC 3464 DSNs), by sending domain and classification."));

    public Counter<long> Unsubscribes => LazyInitializer.EnsureInitialized(ref _unsubscribes, () => Meter.CreateCounter<long>("sluice.unsubscribes", "{recipient}", "Recipients unsubscribed through List-Unsubscribe, by sending domain and method (one_click, mailto)."));

    public Counter<long> WebhookPosts => LazyInitializer.EnsureInitialized(ref _webhookPosts, () => Meter.CreateCounter<long>("sluice.webhook.posts", "{post}", "Webhook posts, by outcome (delivered, failed) and webhook."));

    public Counter<long> WebhookEvents => LazyInitializer.EnsureInitialized(ref _webhookEvents, () => Meter.CreateCounter<long>("sluice.webhook.events", "{event}", "Events handed to webhook endpoints, by outcome (delivered, dead_lettered, replayed) and webhook."));

    public Counter<long> SenderPauses => LazyInitializer.EnsureInitialized(ref _senderPauses, () => Meter.CreateCounter<long>("sluice.reputation.pauses", "{pause}", "Senders paused, by scope (sender_domain, tag, api_key) and cause (bounce_rate, complaint_rate, operator)."));

    public Counter<long> SuppressionsAdded => LazyInitializer.EnsureInitialized(ref _suppressionsAdded, () => Meter.CreateCounter<long>("sluice.suppressions.added", "{recipient}", "Recipients put on the suppression list by the node itself, by reason (bounce, soft_bounce, complaint, unsubscribe)."));

    public Counter<long> ReplyShapingActions => LazyInitializer.EnsureInitialized(ref _replyShapingActions, () => Meter.CreateCounter<long>("sluice.shaping.reply_actions", "{action}", "Reply-driven shaping rules applied, by rule, action (ReduceRate, ReduceConnections, SuspendSite, SuspendSender) and site."));

    public Counter<long> Alignment => LazyInitializer.EnsureInitialized(ref _alignment, () => Meter.CreateCounter<long>("sluice.intake.alignment", "{message}", "Messages judged at intake for DMARC alignment, by result (aligned, unaligned) and the From domain's DMARC policy (reject, quarantine, none, absent)."));

    public Counter<long> SendersUntracked => LazyInitializer.EnsureInitialized(ref _sendersUntracked, () => Meter.CreateCounter<long>("sluice.reputation.untracked", "{outcome}", "Outcomes not counted in a sender's rates because the scope already holds Reputation:MaxSenders senders, by scope."));

    /// <summary>Registers the reputation gauges: bounce and complaint rate per sender over the rates' window, and senders paused now by scope.</summary>
    public void ObserveReputation(Func<IEnumerable<Measurement<double>>> bounceRates, Func<IEnumerable<Measurement<double>>> complaintRates, Func<IEnumerable<Measurement<long>>> paused)
    {
        Meter.CreateObservableGauge("sluice.reputation.bounce_rate", bounceRates, "1", "Share of a sender's mail with a final outcome in the rates' window (Reputation:Window) that bounced or expired, by scope and sender.");
        Meter.CreateObservableGauge("sluice.reputation.complaint_rate", complaintRates, "1", "Complaints per mail sent in the rates' window, by scope and sender.");
        Meter.CreateObservableGauge("sluice.reputation.paused", paused, "{sender}", "Senders whose mail is paused now, by scope.");
    }

    public Histogram<double> PoolProbeDuration { get; }

    public Counter<long> OutboundConnectionsOpened { get; }

    public Counter<long> OutboundConnectionsFailed { get; }

    public Counter<long> OutboundConnectionsReused { get; }

    public UpDownCounter<long> OutboundConnectionsOpen { get; }

    public Counter<long> DeliveryOutcomes { get; }

    public Counter<long> DeliveryHeld { get; }

    /// <summary>Registers the ready-queue gauges: messages in hand (leased, in ready queues or being sent) and ready queues alive.</summary>
    public void ObserveReadyQueues(Func<long> held, Func<long> queues)
    {
        Meter.CreateObservableGauge("sluice.delivery.in_hand", held, "{message}", "Messages leased from the queue and in the delivery engine's hands (waiting in ready queues or being sent).");
        Meter.CreateObservableGauge("sluice.delivery.ready_queues", queues, "{queue}", "Ready queues alive (one per destination key with mail or open connections).");
    }

    public Histogram<double> DeliveryLatency { get; }

    public Histogram<double> SpoolWriteDuration { get; }

    public Histogram<long> SpoolBatchSize { get; }

    /// <summary>Registers the queue depth gauge once the queue exists.</summary>
    public void ObserveQueueDepth(Func<long> depth)
        => Meter.CreateObservableGauge("sluice.queue.depth", depth, "{message}", "Messages in the queue.");

    /// <summary>Registers the per-state depth gauge (tag "state": queued, in-flight, held, dead-letter).</summary>
    public void ObserveQueueDepthByState(Func<IEnumerable<Measurement<long>>> depths)
        => Meter.CreateObservableGauge("sluice.queue.depth.by_state", depths, "{message}", "Messages in the queue by state (refreshed at most every 15 s).");

    /// <summary>Registers the disk gauges: free and total bytes of the data directory's filesystem, and the bytes the data directory holds.</summary>
    public void ObserveDisk(Func<long> free, Func<long> total, Func<long> used)
    {
        Meter.CreateObservableGauge("sluice.disk.free", free, "By", "Bytes free on the data directory's filesystem (for the node's user).");
        Meter.CreateObservableGauge("sluice.disk.size", total, "By", "Size of the data directory's filesystem.");
        Meter.CreateObservableGauge("sluice.data.size", used, "By", "Bytes under the data directory: spool, message bodies, state and event logs.");
    }

    /// <summary>Registers the message index's gauges: events waiting to be indexed and events it could not write.</summary>
    public void ObserveIndex(Func<long> backlog, Func<long> dropped)
    {
        Meter.CreateObservableGauge("sluice.index.backlog", backlog, "{event}", "Events queued for the message index and not yet committed.");
        Meter.CreateObservableCounter("sluice.index.dropped", dropped, "{event}", "Events the message index could not write (searches, statistics and webhooks miss them; mail is not affected).");
    }

    /// <summary>Registers the count of delivery-event lines not written (disk short of space, I/O errors).</summary>
    public void ObserveEventsDropped(Func<long> dropped)
        => Meter.CreateObservableCounter("sluice.events.dropped", dropped, "{event}", "Delivery event log lines not written: the disk was short of space (the spool's acks come first) or a write failed.");
}
