namespace Sluice.Delivery.Feedback;

/// <summary>The <c>Feedback</c> section: what reports arriving on a Feedback listener do to the suppression list.</summary>
public sealed class FeedbackOptions
{
    /// <summary>A complaint suppresses its recipient at once.</summary>
    public bool SuppressComplaints { get; set; } = true;

    /// <summary>For the sending domain that was complained about (<c>SenderDomain</c>), or for every sender (<c>All</c>).</summary>
    public ComplaintScope ComplaintScope { get; set; } = ComplaintScope.SenderDomain;

    /// <summary>A bounce with a permanent status (5.x.x) suppresses its recipient for every sender at once.</summary>
    public bool SuppressHardBounces { get; set; } = true;

    /// <summary>
    /// When set, mail is sent with a VERP return path, <c>bounces+ID.MAC@ReturnPathDomain</c> (the
    /// domain's MX being a Feedback listener): a bounce names its message by the address it comes to,
    /// even when the returned headers are cut. Bounces then come here, not to the original sender.
    /// </summary>
    public string? ReturnPathDomain { get; set; }
}
