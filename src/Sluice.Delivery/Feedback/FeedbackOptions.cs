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
}
