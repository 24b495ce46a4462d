namespace Sluice.Core.Events;

/// <summary>
/// One line of the delivery event log. <see cref="DurationMs"/> is how long the step took (the
/// delivery attempt: DNS, waiting for a connection slot, the SMTP transaction); <see cref="QueuedMs"/>
/// is the time from reception to this event. A Reception event also carries what is known of the
/// message as a whole (<see cref="Sender"/>, <see cref="Subject"/> as it appears in the header,
/// <see cref="Tags"/>, <see cref="Size"/>, the <see cref="Credential"/> it was submitted with: an API
/// key's name or an SMTP AUTH user), which the message index keeps; a Suppression event carries its
/// <see cref="Sender"/>, a sender pause the paused sender's key in <see cref="Sender"/>. Other events
/// leave them null (and out of the JSON line).
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
    double? QueuedMs = null,
    string? Sender = null,
    string? Subject = null,
    IReadOnlyList<string>? Tags = null,
    long? Size = null,
    string? Credential = null);
