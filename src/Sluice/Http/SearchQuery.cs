using System.Globalization;
using Sluice.Core.Events;

namespace Sluice.Http;

/// <summary>Reads a message search and a statistics request from a query string; each bad field is named with the reason.</summary>
internal static class SearchQuery
{
    public static (MessageQuery? Query, Dictionary<string, string[]> Errors) Parse(IQueryCollection q)
    {
        ArgumentNullException.ThrowIfNull(q);
        var errors = new Dictionary<string, string[]>();
        var from = Time(q, "from", errors);
        var to = Time(q, "to", errors);
        var state = Text(q, "state");
        if (state is not null && !EventNames.RecipientStates.Contains(state))
        {
            errors["state"] = [$"One of {string.Join(", ", EventNames.RecipientStates)}."];
        }

        var limit = 50;
        if (Text(q, "limit") is { } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 500))
        {
            errors["limit"] = ["A number from 1 to 500."];
        }

        MessageCursor? cursor = null;
        if (Text(q, "cursor") is { } c && (cursor = MessageCursor.Parse(c)) is null)
        {
            errors["cursor"] = ["Not a cursor this API gave (nextCursor)."];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new MessageQuery(Text(q, "recipient"), Text(q, "sender"), Text(q, "subject"), Text(q, "tag"), state, from, to, limit, cursor), errors);
    }

    public static (StatsQuery? Query, Dictionary<string, string[]> Errors) ParseStats(IQueryCollection q, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(q);
        var errors = new Dictionary<string, string[]>();
        var interval = Text(q, "interval") switch
        {
            null or "hour" => StatsInterval.Hour,
            "day" => StatsInterval.Day,
            _ => (StatsInterval?)null,
        };
        if (interval is null)
        {
            errors["interval"] = ["hour or day."];
        }

        var by = Text(q, "by") switch
        {
            null or "none" => StatsBreakdown.None,
            "domain" or "senderDomain" => StatsBreakdown.SenderDomain,
            "tag" => StatsBreakdown.Tag,
            _ => (StatsBreakdown?)null,
        };
        if (by is null)
        {
            errors["by"] = ["none, domain or tag."];
        }

        var to = Time(q, "to", errors) ?? now;
        var from = Time(q, "from", errors) ?? to - (interval == StatsInterval.Day ? TimeSpan.FromDays(30) : TimeSpan.FromHours(24));
        if (from >= to)
        {
            errors["from"] = ["Must be before 'to'."];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new StatsQuery(from, to, interval!.Value, by!.Value, Text(q, "senderDomain"), Text(q, "tag")), errors);
    }

    private static string? Text(IQueryCollection q, string name) => q[name].ToString() is { Length: > 0 } value ? value : null;

    private static DateTimeOffset? Time(IQueryCollection q, string name, Dictionary<string, string[]> errors)
    {
        if (Text(q, name) is not { } value)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        errors[name] = ["An ISO 8601 time, e.g. 2026-11-30T12:00:00Z."];
        return null;
    }
}
