namespace Sluice.Core.Events;

/// <summary>A message as the index knows it (<see cref="Credential"/>: the API key's name or SMTP AUTH user it was submitted with). <see cref="State"/> sums up its recipients: one state when they agree, otherwise <c>deferred</c>, <c>held</c> or <c>queued</c> (in that order) while any is pending, else <c>mixed</c>.</summary>
public sealed record IndexedMessage(
    string Id,
    DateTimeOffset ReceivedAt,
    string Sender,
    string? Subject,
    IReadOnlyList<string> Tags,
    long Size,
    string State,
    IReadOnlyList<IndexedRecipient> Recipients,
    string? Credential = null)
{
    public static string Summarize(IReadOnlyList<IndexedRecipient> recipients)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Count == 0)
        {
            return "queued";
        }

        string? same = recipients[0].State;
        var deferred = false;
        var held = false;
        var queued = false;
        foreach (var r in recipients)
        {
            same = same == r.State ? same : null;
            deferred |= r.State == "deferred";
            held |= r.State == EventNames.HeldState;
            queued |= r.State == "queued";
        }

        return same ?? (deferred ? "deferred" : held ? EventNames.HeldState : queued ? "queued" : "mixed");
    }
}
