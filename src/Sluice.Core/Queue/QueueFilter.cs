using Sluice.Core.Messages;

namespace Sluice.Core.Queue;

/// <summary>Which messages a queue operation applies to; null fields do not filter. An empty filter is everything.</summary>
public sealed record QueueFilter(MessageId? Id = null, string? Domain = null, QueueMessageState? State = null)
{
    public static readonly QueueFilter All = new();
}
