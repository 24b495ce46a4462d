namespace Sluice.Delivery.Events;

/// <summary>
/// One line of the delivery event log. <see cref="DurationMs"/> is how long the step took (the
/// delivery attempt: DNS, waiting for a connection slot, the SMTP transaction); <see cref="QueuedMs"/>
/// is the time from reception to this event.
/// </summary>
public sealed record DeliveryEvent(
    DateTimeOffset Time,
    DeliveryEventType Type,
    string MessageId,
    string? Recipient,
    string? Site,
    string? RemoteMta,
    int Attempt,
    string? Reply,
    string? Classification,
    double? DurationMs,
    string? Source = null,
    double? QueuedMs = null);
