namespace Sluice.Delivery.Feedback;

/// <summary>
/// The <c>Feedback</c> section: what bounces (at delivery or reported later on a Feedback listener)
/// and complaints do to the suppression list.
/// </summary>
public sealed class FeedbackOptions
{
    /// <summary>A complaint suppresses its recipient at once.</summary>
    public bool SuppressComplaints { get; set; } = true;

    /// <summary>For the sending domain that was complained about (<c>SenderDomain</c>), or for every sender (<c>All</c>).</summary>
    public ComplaintScope ComplaintScope { get; set; } = ComplaintScope.SenderDomain;

    /// <summary>
    /// A hard bounce — a permanent reply about the mailbox or its domain (5.1.x: no such user, no
    /// such domain) — suppresses its recipient for every sender at once. Permanent refusals of the
    /// message or the sender (spam, policy, size) suppress nothing.
    /// </summary>
    public bool SuppressHardBounces { get; set; } = true;

    /// <summary>
    /// Soft bounces (a full mailbox, a delivery that expired after its retries, a reported failure
    /// with a 4.x.x status) that suppress their recipient for every sender once this many fall within
    /// <see cref="SoftBounceWindow"/>; 0 never.
    /// </summary>
    public int SoftBounceLimit { get; set; } = 3;

    public TimeSpan SoftBounceWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// When set, mail is sent with a VERP return path, <c>bounces+ID.MAC@ReturnPathDomain</c> (the
    /// domain's MX being a Feedback listener): a bounce names its message by the address it comes to,
    /// even when the returned headers are cut. Bounces then come here, not to the original sender.
    /// </summary>
    public string? ReturnPathDomain { get; set; }
}
