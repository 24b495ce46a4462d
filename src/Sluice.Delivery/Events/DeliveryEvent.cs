namespace Sluice.Delivery.Events;

/// <summary>One line of the delivery event log.</summary>
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
    string? Source = null);
