namespace Sluice.Delivery.Reputation;

/// <summary>
/// The <c>Reputation</c> section: bounce and complaint rates per sending domain, tag and API key
/// over sliding windows, and the brakes that pause a sender over a threshold.
/// </summary>
public sealed class ReputationOptions
{
    /// <summary>The window the rates are shown over (API, dashboard, metrics).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    public List<BrakeRule> Brakes { get; set; } = [];

    /// <summary>Senders kept per scope; past this, new ones are not counted (and that is counted), so a node relaying for the world stays bounded.</summary>
    public int MaxSenders { get; set; } = 10_000;

    /// <summary>The longest window anything here needs: the rates' ring spans it in 60 buckets.</summary>
    public TimeSpan LongestWindow()
    {
        var longest = Window;
        foreach (var brake in Brakes)
        {
            longest = brake.Window > longest ? brake.Window : longest;
        }

        return longest;
    }
}
