using System.Text;
using Sluice.Core.Messages;

namespace Sluice.Core.Events;

/// <summary>
/// What one commit of the index writes, worked out before the database is touched: the events in
/// order, the messages they introduce (once each), the newest state of each recipient they move,
/// and the statistics summed per hour × sending domain × tag.
/// </summary>
public sealed class IndexBatch
{
    private const int MaxKnownMessages = 65_536;

    /// <summary>Each counted event type and its statistics column, in the order of <see cref="Stats"/>' counts: the one list both come from.</summary>
    private static readonly (DeliveryEventType Type, string Column)[] Counted =
    [
        (DeliveryEventType.Reception, "received"),
        (DeliveryEventType.Delivery, "delivered"),
        (DeliveryEventType.TransientFailure, "deferred"),
        (DeliveryEventType.Bounce, "bounced"),
        (DeliveryEventType.Expiration, "expired"),
        (DeliveryEventType.Suppression, "suppressed"),
        (DeliveryEventType.Complaint, "complained"),
        (DeliveryEventType.Unsubscription, "unsubscribed"),
    ];

    /// <summary>The statistics columns, in the order of <see cref="Stats"/>' counts.</summary>
    public static readonly string[] Counters = Array.ConvertAll(Counted, c => c.Column);

    private readonly Dictionary<string, (string Domain, IReadOnlyList<string> Tags)> _known = new(StringComparer.Ordinal);
    private readonly HashSet<string> _introduced = new(StringComparer.Ordinal);

    public List<DeliveryEvent> Events { get; } = new(256);

    public List<IndexMessageRow> Messages { get; } = [];

    /// <summary>Keyed by message id and address, the address without case as the databases compare it.</summary>
    public Dictionary<(string MessageId, string Address), IndexRecipientRow> Recipients { get; } = new(RecipientKeyComparer.Instance);

    public Dictionary<IndexStatsKey, long[]> Stats { get; } = new(IndexStatsKey.Comparer);

    /// <summary>Messages an operator deleted (id, when): their recipients still pending become <c>deleted</c>, after the batch's other recipient rows.</summary>
    public List<(string MessageId, long At)> Deleted { get; } = [];

    /// <summary>Hold keys released (key, when): recipients held under one become <c>queued</c> again, after the batch's other recipient rows.</summary>
    public List<(string HoldKey, long At)> Released { get; } = [];

    /// <summary>The sender an event row keeps of its own (others take the message's).</summary>
    public static string? SenderColumn(DeliveryEvent e)
        => e.Type is DeliveryEventType.Suppression or DeliveryEventType.SenderPause or DeliveryEventType.SenderResumption ? e.Sender : null;

    /// <summary>The statistics counter (an index into <see cref="Counters"/>) an event type counts in, or null.</summary>
    public static int? Counter(DeliveryEventType type)
    {
        for (var i = 0; i < Counted.Length; i++)
        {
            if (Counted[i].Type == type)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>Empties the batch; what is known of messages is kept for the next one (bounded).</summary>
    public void Clear()
    {
        Events.Clear();
        Messages.Clear();
        Recipients.Clear();
        Stats.Clear();
        Deleted.Clear();
        Released.Clear();
        _introduced.Clear();
    }

    /// <summary>Forgets what is known of messages (after a failed commit, which may not have written them).</summary>
    public void Forget() => _known.Clear();

    /// <summary>Adds an event; <paramref name="session"/> is asked for a message this batch does not know.</summary>
    public void Add(DeliveryEvent e, IndexSession session)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(session);
        Events.Add(e);
        var at = e.Time.ToUnixTimeMilliseconds();
        if (e.Type == DeliveryEventType.Reception)
        {
            var domain = AddressDomain.Of(e.Sender);
            if (_introduced.Add(e.MessageId))
            {
                Messages.Add(new IndexMessageRow(e.MessageId, at - (long)(e.QueuedMs ?? 0), e.Sender ?? string.Empty, domain, Decode(e.Subject), IndexTags.Join(e.Tags), e.Size ?? 0, e.Credential));
            }

            Remember(e.MessageId, domain, e.Tags ?? []);
        }

        if (e.Type == DeliveryEventType.AdminAction && e.Classification == "delete" && e.MessageId != "-")
        {
            Deleted.Add((e.MessageId, at));
        }

        if (e.Type == DeliveryEventType.Release && e.Classification is { } released)
        {
            Released.Add((released, at));
        }

        if (EventNames.RecipientState(e.Type) is { } state && e.Recipient is not null)
        {
            var key = (e.MessageId, e.Recipient);
            var row = new IndexRecipientRow(e.MessageId, e.Recipient, state, e.Reply, at, e.Type == DeliveryEventType.Hold ? e.Classification : null);
            // As the statement does (IndexStatements.RecipientConflict): a reception never replaces an outcome.
            if (!Recipients.TryGetValue(key, out var before))
            {
                Recipients[key] = row;
            }
            else if (state != "queued" && (before.State == "queued" || before.UpdatedAt <= at))
            {
                Recipients[key] = row with { Reply = row.Reply ?? before.Reply };
            }
        }

        if (Counter(e.Type) is not { } counter)
        {
            return;
        }

        // Only events that count look up their message (an operator's action on many messages does not).
        var (domainOf, tagsOf) = e.Type switch
        {
            DeliveryEventType.Reception => _known[e.MessageId],
            DeliveryEventType.Suppression => (AddressDomain.Of(e.Sender), []),
            _ when e.Sender is not null && e.Tags is not null => (AddressDomain.Of(e.Sender), e.Tags),
            _ => Find(e, session),
        };
        var hour = e.Time.ToUnixTimeSeconds() / 3600;
        Count(new IndexStatsKey(hour, domainOf, string.Empty), counter);
        foreach (var tag in tagsOf)
        {
            // An empty tag is not one (the row with tag '' is the domain's total).
            if (tag.Length > 0)
            {
                Count(new IndexStatsKey(hour, domainOf, tag), counter);
            }
        }
    }

    private void Count(IndexStatsKey key, int counter)
    {
        if (!Stats.TryGetValue(key, out var counts))
        {
            Stats[key] = counts = new long[Counters.Length];
        }

        counts[counter]++;
    }

    private (string Domain, IReadOnlyList<string> Tags) Find(DeliveryEvent e, IndexSession session)
    {
        if (_known.TryGetValue(e.MessageId, out var known))
        {
            return known;
        }

        if (e.MessageId != "-" && session.Find(e.MessageId) is { } found)
        {
            var tags = IndexTags.Split(found.Tags);
            Remember(e.MessageId, found.Domain, tags);
            return (found.Domain, tags);
        }

        // Not indexed (yet, or pruned): what the event itself says.
        return (AddressDomain.Of(e.Sender), e.Tags ?? []);
    }

    private void Remember(string messageId, string domain, IReadOnlyList<string> tags)
    {
        if (_known.Count >= MaxKnownMessages)
        {
            _known.Clear();
        }

        _known[messageId] = (domain, tags);
    }

    /// <summary>RFC 2047 encoded words in the Subject, decoded for search and display.</summary>
    private static string? Decode(string? subject)
        => subject is not null && subject.Contains("=?", StringComparison.Ordinal)
            ? MimeKit.Utils.Rfc2047.DecodeText(Encoding.UTF8.GetBytes(subject))
            : subject;

    private sealed class RecipientKeyComparer : IEqualityComparer<(string MessageId, string Address)>
    {
        public static readonly RecipientKeyComparer Instance = new();

        public bool Equals((string MessageId, string Address) x, (string MessageId, string Address) y)
            => string.Equals(x.MessageId, y.MessageId, StringComparison.Ordinal) && string.Equals(x.Address, y.Address, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode((string MessageId, string Address) obj)
            => HashCode.Combine(StringComparer.Ordinal.GetHashCode(obj.MessageId), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Address));
    }
}
