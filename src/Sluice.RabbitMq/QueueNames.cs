using System.Security.Cryptography;
using System.Text;

namespace Sluice.RabbitMq;

/// <summary>
/// The cluster queue's topology (ADR 0033): due messages in <c>sluice.shard.N</c>; deferred ones
/// wait in a retry tier <c>sluice.retry.SECONDS</c> whose TTL dead-letters them into
/// <c>sluice.due</c>; held ones in <c>sluice.hold.KEY</c> until released; given-up ones in
/// <c>sluice.dead</c>. Every one a quorum queue.
/// </summary>
internal static class QueueNames
{
    public const string Due = "sluice.due";
    public const string Dead = "sluice.dead";

    /// <summary>The waits a deferred message passes through: the longest that does not overshoot, again until it is due.</summary>
    public static readonly int[] RetryTierSeconds = [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400];

    public static string Shard(int shard) => "sluice.shard." + shard.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string RetryTier(int seconds) => "sluice.retry." + seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The tier to wait in for <paramref name="wait"/>, or null when the message is due now.</summary>
    public static int? TierFor(TimeSpan wait)
    {
        if (wait < TimeSpan.FromSeconds(RetryTierSeconds[0]))
        {
            return null;
        }

        var chosen = RetryTierSeconds[0];
        foreach (var tier in RetryTierSeconds)
        {
            if (TimeSpan.FromSeconds(tier) <= wait)
            {
                chosen = tier;
            }
        }

        return chosen;
    }

    /// <summary>The queue for a hold key: readable when short and plain, else a digest (queue names hold at most 255 bytes).</summary>
    public static string Hold(string holdKey)
    {
        const string prefix = "sluice.hold.";
        var plain = holdKey.Length <= 120;
        foreach (var c in holdKey)
        {
            plain &= c is >= '!' and <= '~';
        }

        return plain ? prefix + holdKey : prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(holdKey)));
    }

    /// <summary>Spreads messages over the shards by their id.</summary>
    public static int ShardOf(string messageId, int shards)
    {
        var hash = 2166136261u;
        foreach (var c in messageId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)shards);
    }
}
