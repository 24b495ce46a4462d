namespace Sluice.Core.Events;

/// <summary>
/// The public names of event types, as webhooks, searches and statistics spell them
/// (<c>delivered</c>, <c>bounced</c> …), and the recipient states they leave behind.
/// </summary>
public static class EventNames
{
    private static readonly string[] Names = ["received", "delivered", "deferred", "bounced", "expired", "admin", "suppressed", "complained", "unsubscribed", "sender_paused", "sender_resumed", "unaligned", "held", "released"];

    public static string Name(DeliveryEventType type) => (uint)type < (uint)Names.Length ? Names[(int)type] : type.ToString().ToLowerInvariant();

    public static bool TryParse(string? name, out DeliveryEventType type)
    {
        var index = Array.FindIndex(Names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        type = (DeliveryEventType)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>The names a webhook may subscribe to (every type but admin actions and releases, which name no message).</summary>
    public static IEnumerable<string> Subscribable => Names.Where(n => n is not ("admin" or "released"));

    /// <summary>The recipient state an event leaves (queued, delivered, deferred, bounced, expired, held), or null when it changes none.</summary>
    public static string? RecipientState(DeliveryEventType type) => type switch
    {
        DeliveryEventType.Reception => "queued",
        DeliveryEventType.Delivery => "delivered",
        DeliveryEventType.TransientFailure => "deferred",
        DeliveryEventType.Bounce => "bounced",
        DeliveryEventType.Expiration => "expired",
        DeliveryEventType.Hold => HeldState,
        _ => null,
    };

    /// <summary>A recipient held by a decision that lasts (<see cref="DeliveryEventType.Hold"/>): still to settle.</summary>
    public const string HeldState = "held";

    /// <summary>The states a search may ask for.</summary>
    public static readonly string[] RecipientStates = ["queued", "deferred", "held", "delivered", "bounced", "expired", "deleted"];

    /// <summary>The states still to settle: a queue listing shows these, an operator's delete ends them.</summary>
    private static readonly string[] PendingStates = ["queued", "deferred", HeldState];

    /// <summary><see cref="PendingStates"/> as an SQL list.</summary>
    public static readonly string PendingStatesSql = string.Join(", ", Array.ConvertAll(PendingStates, s => $"'{s}'"));

    public static bool IsPending(string state) => Array.IndexOf(PendingStates, state) >= 0;

    /// <summary>A bit per type, for subscriptions.</summary>
    public static int Bit(DeliveryEventType type) => 1 << (int)type;
}
