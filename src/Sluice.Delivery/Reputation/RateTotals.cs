namespace Sluice.Delivery.Reputation;

/// <summary>
/// What a sender's mail came to within a window: <see cref="Sent"/> recipients with a final outcome
/// (delivered, bounced or expired), of which <see cref="Bounced"/> bounced or expired, and
/// <see cref="Complained"/> complaints received. Rates are shares of what was sent.
/// </summary>
public readonly record struct RateTotals(long Sent, long Bounced, long Complained)
{
    public double BounceRate => Sent == 0 ? 0 : (double)Bounced / Sent;

    public double ComplaintRate => Sent == 0 ? 0 : (double)Complained / Sent;

    /// <summary>This node's counts and the other nodes' together.</summary>
    public static RateTotals operator +(RateTotals left, RateTotals right)
        => new(left.Sent + right.Sent, left.Bounced + right.Bounced, left.Complained + right.Complained);

    public static RateTotals Add(RateTotals left, RateTotals right) => left + right;
}
