using Sluice.Core.Queue;

namespace Sluice.Http;

/// <summary>The API's view of a queued message (no content).</summary>
internal sealed record QueueEntryView(
    string Id,
    string Sender,
    IReadOnlyList<string> Recipients,
    long Size,
    DateTimeOffset ReceivedAt,
    string State,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastReply)
{
    public static QueueEntryView From(QueueEntry entry)
    {
        var recipients = new string[entry.Envelope.Recipients.Count];
        for (var i = 0; i < recipients.Length; i++)
        {
            recipients[i] = entry.Envelope.Recipients[i].Address;
        }

        return new QueueEntryView(
            entry.Id.Value,
            entry.Envelope.Sender,
            recipients,
            entry.Size,
            entry.ReceivedAt,
            Core.Queue.QueueStateNames.Name(entry.State),
            entry.Attempts,
            NextAttempt(entry),
            entry.LastReply);
    }

    /// <summary>When the message is tried next; null where it is not known (a cluster's message that another node or a broker holds).</summary>
    public static DateTimeOffset? NextAttempt(QueueEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.NextAttemptAt == default ? null : entry.NextAttemptAt;
    }
}
