namespace Sluice.Core.Events;

/// <summary>
/// What happened. The numbers are stored in the event index: new members go at the end.
/// </summary>
public enum DeliveryEventType
{
    Reception,
    Delivery,
    TransientFailure,
    Bounce,
    Expiration,
    AdminAction,

    /// <summary>A recipient refused at intake because it is on the suppression list.</summary>
    Suppression,

    /// <summary>A recipient complained (feedback loop report).</summary>
    Complaint,

    /// <summary>A recipient unsubscribed (RFC 8058 one-click or a List-Unsubscribe mail).</summary>
    Unsubscription,

    /// <summary>A sender's mail was paused (a brake over its bounce or complaint rate, or an operator); <see cref="DeliveryEvent.Sender"/> is the paused sender's key.</summary>
    SenderPause,

    /// <summary>A paused sender's mail goes again.</summary>
    SenderResumption,

    /// <summary>A message accepted whose From domain neither DKIM nor SPF would align with: DMARC would fail (a warning at intake).</summary>
    Misalignment,

    /// <summary>
    /// A recipient held, not attempted, by a decision that lasts (its destination suspended, its
    /// sender paused, the day's warm-up allowance used); <see cref="DeliveryEvent.Classification"/>
    /// is the hold key, as the queue stores it. A ready queue's own holds (flow control) are not events.
    /// </summary>
    Hold,

    /// <summary>Mail held under one key goes again: <see cref="DeliveryEvent.MessageId"/> is <c>-</c>, <see cref="DeliveryEvent.Classification"/> the key.</summary>
    Release,
}
