namespace Sluice.Core.Queue;

/// <summary>The one spelling of queue states on the wire (API, CLI, metrics): queued, in-flight, held, dead-letter.</summary>
public static class QueueStateNames
{
    public static string Name(QueueMessageState state) => state switch
    {
        QueueMessageState.Queued => "queued",
        QueueMessageState.InFlight => "in-flight",
        QueueMessageState.DeadLetter => "dead-letter",
        QueueMessageState.Held => "held",
        _ => "unknown",
    };

    public static bool TryParse(string? name, out QueueMessageState state)
    {
        foreach (var candidate in Enum.GetValues<QueueMessageState>())
        {
            if (string.Equals(Name(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }
}
