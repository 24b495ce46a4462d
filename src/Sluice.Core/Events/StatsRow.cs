namespace Sluice.Core.Events;

/// <summary>Counts for one time bucket (and one sending domain or tag when split). Recipients, not messages: a message to three counts three.</summary>
public sealed record StatsRow(
    DateTimeOffset Start,
    string? SenderDomain,
    string? Tag,
    long Received,
    long Delivered,
    long Deferred,
    long Bounced,
    long Expired,
    long Suppressed,
    long Complained,
    long Unsubscribed);
