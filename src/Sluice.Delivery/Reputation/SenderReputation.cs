using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.Core.Events;
using Sluice.Core.State;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Classification;
using Sluice.Delivery.Feedback;
using Sluice.Smtp;

namespace Sluice.Delivery.Reputation;

/// <summary>
/// The bounce and complaint loop in one place. Every final outcome of a sender's mail — delivered,
/// bounced or expired at delivery, a bounce or complaint reported later — is counted in its rates
/// (per sending domain, tag and API key); each bounce and complaint applies the suppression rules
/// (<see cref="FeedbackOptions"/>: a hard bounce at once, soft bounces after N within D days, a
/// complaint at once) and then the brakes (<see cref="ReputationOptions.Brakes"/>), which pause a
/// sender whose rate is over a maximum. Pauses expire by themselves; a resumed sender's counts
/// start afresh, so it is judged on the mail it sends from then on.
/// </summary>
public sealed partial class SenderReputation(
    SenderRates rates,
    SenderPauses pauses,
    ReputationOptions options,
    FeedbackOptions feedback,
    ISuppressionStore store,
    SuppressionList list,
    ISoftBounceLedger softBounces,
    DeliveryEventLog events,
    SluiceMetrics metrics,
    TimeProvider time,
    ILogger<SenderReputation> logger)
{
    private readonly LogGate<string> _storeFailures = new(time, TimeSpan.FromMinutes(1));

    /// <summary>Raised after a sender is paused, so delivery can hold its mail that waits in ready queues.</summary>
    public event Action<SenderPause>? Paused;

    public SenderRates Rates => rates;

    public ReputationOptions Options => options;

    /// <summary>The pause holding mail from <paramref name="sender"/>, or null (one read when nothing is paused).</summary>
    public SenderPause? PausedFor(in SenderIdentity sender) => pauses.Find(sender);

    public List<SenderPause> Pauses() => pauses.Snapshot();

    /// <summary>The pause in force for exactly <paramref name="key"/>, or null (a lookup, not a snapshot of all).</summary>
    public SenderPause? PauseOf(SenderKey key) => pauses.Get(key);

    /// <summary>A recipient of this sender's mail was delivered.</summary>
    public void Delivered(in SenderIdentity sender)
    {
        if (!sender.IsNone)
        {
            rates.Add(sender, 1, 0, 0);

            // A late report may have been counted before this delivery: reaching a brake's minimum judges the rate there and then.
            CheckBrakes(sender);
        }
    }

    /// <summary>
    /// A recipient bounced (or its delivery expired, or a report said it bounced): counted, the
    /// suppression rules applied, the brakes checked. Returns the suppression made, if any.
    /// </summary>
    public async ValueTask<Suppression?> BouncedAsync(SenderIdentity sender, string messageId, string? recipient, SmtpReply reply, BounceCategory category, BounceOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (!sender.IsNone)
        {
            // A report's message was counted as sent when it was delivered.
            rates.Add(sender, origin == BounceOrigin.Report ? 0 : 1, 1, 0);
        }

        Suppression? suppression = null;
        if (recipient is not null)
        {
            try
            {
                suppression = await ApplyBounceRulesAsync(messageId, recipient, reply, category, origin, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
            {
                // The state store failed: the bounce is still counted and the message settles; only the suppression is missed.
                StoreFailed(ex);
            }
        }

        CheckBrakes(sender);
        return suppression;
    }

    /// <summary>A recipient complained about this sender's mail: counted, suppressed as configured, brakes checked.</summary>
    public async ValueTask<Suppression?> ComplainedAsync(SenderIdentity sender, string messageId, string? recipient, CancellationToken cancellationToken)
    {
        if (!sender.IsNone)
        {
            rates.Add(sender, 0, 0, 1);
        }

        Suppression? suppression = null;
        if (feedback.SuppressComplaints && recipient is not null)
        {
            var scope = feedback.ComplaintScope == ComplaintScope.SenderDomain && sender.Domain.Length > 0 && sender.Domain != SenderDomains.Other ? sender.Domain : null;
            try
            {
                suppression = await SuppressAsync(new Suppression(recipient, scope, SuppressionReason.Complaint, time.GetUtcNow()), messageId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
            {
                StoreFailed(ex);
            }
        }

        CheckBrakes(sender);
        return suppression;
    }

    /// <summary>
    /// Pauses a sender (a brake or an operator); its waiting mail is held. False when it was paused
    /// already (the end is moved). <paramref name="announce"/> false: a pause another node made and
    /// announced, followed here — held the same, without a second event, log line or count.
    /// </summary>
    public bool Pause(SenderPause pause, bool announce = true)
    {
        ArgumentNullException.ThrowIfNull(pause);
        var added = pauses.Pause(pause);
        if (announce && (added || pause.Cause == PauseCause.Operator))
        {
            var cause = CauseName(pause.Cause);
            metrics.SenderPauses.Add(1, new KeyValuePair<string, object?>("scope", SenderKey.ScopeName(pause.Key.Scope)), new KeyValuePair<string, object?>("cause", cause));
            var key = pause.Key.ToString();
            events.Write(new DeliveryEvent(pause.Since, DeliveryEventType.SenderPause, "-", null, null, null, 0, pause.Reason, cause, null, Sender: key));
            SenderPaused(logger, key, pause.Until, pause.Reason);
        }

        Paused?.Invoke(pause);
        return added;
    }

    /// <summary>Ends a pause now (an operator; another node's, followed here, when <paramref name="announce"/> is false); null when the sender was not paused. Its counts start afresh.</summary>
    public SenderPause? Resume(SenderKey key, bool announce = true)
    {
        if (pauses.Resume(key) is not { } pause)
        {
            return null;
        }

        if (announce)
        {
            Resumed(pause, "operator");
        }
        else
        {
            rates.Clear(key);
        }

        return pause;
    }

    /// <summary>The pauses whose time is up, ended (called from the scheduler's tick, which releases their mail); also sweeps idle senders' counts.</summary>
    public List<SenderPause> TakeExpired()
    {
        rates.Sweep();
        if (pauses.IsEmpty)
        {
            return [];
        }

        var expired = pauses.TakeExpired();
        foreach (var pause in expired)
        {
            Resumed(pause, "expired");
        }

        return expired;
    }

    /// <summary>Measurements for the reputation gauges.</summary>
    public IEnumerable<Measurement<double>> BounceRates() => RateMeasurements(static t => t.BounceRate);

    public IEnumerable<Measurement<double>> ComplaintRates() => RateMeasurements(static t => t.ComplaintRate);

    public IEnumerable<Measurement<long>> PausedCounts()
    {
        var counts = new long[3];
        foreach (var pause in pauses.Snapshot())
        {
            counts[(int)pause.Key.Scope]++;
        }

        for (var i = 0; i < counts.Length; i++)
        {
            yield return new Measurement<long>(counts[i], new KeyValuePair<string, object?>("scope", SenderKey.ScopeName((SenderScope)i)));
        }
    }

    public static string CauseName(PauseCause cause) => cause switch
    {
        PauseCause.BounceRate => "bounce_rate",
        PauseCause.ComplaintRate => "complaint_rate",
        _ => "operator",
    };

    /// <summary>The cause a <see cref="CauseName"/> stands for (an unknown name: an operator's).</summary>
    public static PauseCause CauseOf(string name) => name switch
    {
        "bounce_rate" => PauseCause.BounceRate,
        "complaint_rate" => PauseCause.ComplaintRate,
        _ => PauseCause.Operator,
    };

    /// <summary>
    /// A bounce that says the address cannot receive mail: a permanent reply about the mailbox or
    /// its domain (RFC 3463 X.1.x). A permanent refusal for the message or the sender (spam, policy,
    /// size, TLS) says nothing against the address and suppresses nothing.
    /// </summary>
    private static bool IsHard(SmtpReply reply, BounceCategory category)
        => reply.Code >= 500 && category is BounceCategory.InvalidRecipient or BounceCategory.BadDomain;

    /// <summary>
    /// A bounce that may pass: a full mailbox (X.2.2, even with a 5xx: RFC 3463 calls it usually
    /// temporary), a delivery that expired after its retries, a report of a failure with a 4.x.x status.
    /// </summary>
    private static bool IsSoft(SmtpReply reply, BounceCategory category, BounceOrigin origin)
        => category == BounceCategory.MailboxFull
           || origin == BounceOrigin.Expiry
           || (origin == BounceOrigin.Report && reply.Code is >= 400 and < 500);

    private async Task<Suppression?> ApplyBounceRulesAsync(string messageId, string recipient, SmtpReply reply, BounceCategory category, BounceOrigin origin, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (IsHard(reply, category))
        {
            return feedback.SuppressHardBounces
                ? await SuppressAsync(new Suppression(recipient, null, SuppressionReason.Bounce, now), messageId, cancellationToken).ConfigureAwait(false)
                : null;
        }

        if (feedback.SoftBounceLimit == 0 || !IsSoft(reply, category, origin))
        {
            return null;
        }

        var count = await softBounces.RecordSoftBounceAsync(recipient, now, now - feedback.SoftBounceWindow, cancellationToken).ConfigureAwait(false);
        if (count < feedback.SoftBounceLimit)
        {
            return null;
        }

        var suppression = await SuppressAsync(new Suppression(recipient, null, SuppressionReason.SoftBounce, now), messageId, cancellationToken).ConfigureAwait(false);
        await softBounces.ClearSoftBouncesAsync(recipient, cancellationToken).ConfigureAwait(false);
        return suppression;
    }

    private void StoreFailed(Exception ex)
    {
        if (_storeFailures.ShouldLog("store", out var unlogged))
        {
            SuppressionFailed(logger, unlogged, ex);
        }
    }

    private async Task<Suppression> SuppressAsync(Suppression suppression, string messageId, CancellationToken cancellationToken)
    {
        await store.UpsertAsync([suppression], cancellationToken).ConfigureAwait(false);
        list.Add([suppression]);
        var reason = suppression.Reason == SuppressionReason.SoftBounce ? "soft_bounce" : suppression.Reason.ToString().ToLowerInvariant();
        metrics.SuppressionsAdded.Add(1, new KeyValuePair<string, object?>("reason", reason));
        AddressSuppressed(logger, suppression.Address, suppression.Scope ?? "*", reason, messageId);
        return suppression;
    }

    private void CheckBrakes(in SenderIdentity sender)
    {
        if (options.Brakes.Count > 0 && !sender.IsNone)
        {
            sender.ForEach(this, static (self, key) => self.CheckBrakes(key));
        }
    }

    private void CheckBrakes(SenderKey key)
    {
        if (pauses.Get(key) is not null)
        {
            return;
        }

        foreach (var brake in options.Brakes)
        {
            if (!brake.Watches(key))
            {
                continue;
            }

            var totals = rates.Totals(key, brake.Window);
            if (totals.Sent < brake.MinimumSent)
            {
                continue;
            }

            var (cause, rate, max) = brake.MaxBounceRate is { } b && totals.BounceRate > b ? (PauseCause.BounceRate, totals.BounceRate, b)
                : brake.MaxComplaintRate is { } c && totals.ComplaintRate > c ? (PauseCause.ComplaintRate, totals.ComplaintRate, c)
                : (PauseCause.Operator, 0d, 0d);
            if (cause == PauseCause.Operator)
            {
                continue;
            }

            var now = time.GetUtcNow();
            var what = cause == PauseCause.BounceRate ? "bounce rate" : "complaint rate";
            var reason = string.Create(CultureInfo.InvariantCulture, $"{what} {rate:P2} of {totals.Sent} sent in {brake.Window:c}, over the brake's {max:P2}");
            Pause(new SenderPause(key, now, now + brake.Pause, cause, reason));
            return;
        }
    }

    private void Resumed(SenderPause pause, string how)
    {
        rates.Clear(pause.Key);
        var key = pause.Key.ToString();
        events.Write(new DeliveryEvent(time.GetUtcNow(), DeliveryEventType.SenderResumption, "-", null, null, null, 0, pause.Reason, how, null, Sender: key));
        SenderResumed(logger, key, how);
    }

    private IEnumerable<Measurement<double>> RateMeasurements(Func<RateTotals, double> rate)
    {
        foreach (var (key, totals) in rates.Snapshot(options.Window))
        {
            if (totals.Sent > 0)
            {
                yield return new Measurement<double>(rate(totals), new KeyValuePair<string, object?>("scope", SenderKey.ScopeName(key.Scope)), new KeyValuePair<string, object?>("sender", key.Value));
            }
        }
    }

    [LoggerMessage(EventId = 4310, Level = LogLevel.Warning, Message = "Paused mail from {Sender} until {Until}: {Reason}")]
    private static partial void SenderPaused(ILogger logger, string sender, DateTimeOffset until, string reason);

    [LoggerMessage(EventId = 4311, Level = LogLevel.Information, Message = "Mail from {Sender} goes again ({How})")]
    private static partial void SenderResumed(ILogger logger, string sender, string how);

    [LoggerMessage(EventId = 4313, Level = LogLevel.Error, Message = "Could not apply a suppression rule: the state store failed ({Unlogged} more not logged)")]
    private static partial void SuppressionFailed(ILogger logger, long unlogged, Exception exception);

    [LoggerMessage(EventId = 4312, Level = LogLevel.Information, Message = "Suppressed {Recipient} for {Scope} ({Reason}, message {MessageId})")]
    private static partial void AddressSuppressed(ILogger logger, string recipient, string scope, string reason, string messageId);
}
