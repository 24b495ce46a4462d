using System.Globalization;

namespace Sluice.Core.Events;

/// <summary>Where a page of search results ended: the reception time and id of its last message, as one opaque token.</summary>
public sealed record MessageCursor(long ReceivedAtMs, string Id)
{
    public string Token => string.Create(CultureInfo.InvariantCulture, $"{ReceivedAtMs}.{Id}");

    public static MessageCursor? Parse(string? token)
    {
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        return dot > 0 && long.TryParse(token![..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? new MessageCursor(ms, token[(dot + 1)..])
            : null;
    }
}
