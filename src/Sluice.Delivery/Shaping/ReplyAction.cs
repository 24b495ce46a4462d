namespace Sluice.Delivery.Shaping;

/// <summary>What a reply-driven shaping rule does to the ready queue (site × egress source) whose reply matched, until its time is up.</summary>
public enum ReplyAction
{
    /// <summary>Messages per second down to the rule's <c>MaxMessageRate</c> (never up).</summary>
    ReduceRate,

    /// <summary>Connections down to the rule's <c>MaxConnections</c> (never up).</summary>
    ReduceConnections,

    /// <summary>The queue rests: nothing is sent to the site from that source (its mail is held, not failed).</summary>
    SuspendSite,

    /// <summary>The sending domain of the message whose reply matched is held for that site × source; other senders go on.</summary>
    SuspendSender,
}
