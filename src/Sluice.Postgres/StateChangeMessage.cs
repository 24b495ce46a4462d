using System.Globalization;
using Sluice.Core.State;

namespace Sluice.Postgres;

/// <summary>
/// The payload of a state-change notification: the kind as a number, a colon, the key. The kind
/// holds no colon, so the first one ends it whatever the key holds.
/// </summary>
internal static class StateChangeMessage
{
    public static string Format(StateChange change)
        => string.Create(CultureInfo.InvariantCulture, $"{(int)change.Kind}:{change.Key}");

    public static StateChange? Parse(string payload)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && int.TryParse(payload.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var kind)
            && Enum.IsDefined((StateChangeKind)kind)
            ? new StateChange((StateChangeKind)kind, payload[(colon + 1)..])
            : null;
    }
}
