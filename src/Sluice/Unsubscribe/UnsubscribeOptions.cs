namespace Sluice.Unsubscribe;

/// <summary>
/// The <c>Unsubscribe</c> section: where List-Unsubscribe points for messages sent with
/// <c>unsubscribe: true</c>. <see cref="BaseUrl"/> is this node's public HTTPS address (the one-click
/// endpoint is <c>BaseUrl/u/TOKEN</c>); <see cref="MailtoDomain"/>, when set, adds a mailto address
/// at a domain whose MX is a Feedback listener.
/// </summary>
public sealed class UnsubscribeOptions
{
    public string? BaseUrl { get; set; }

    public string? MailtoDomain { get; set; }

    /// <summary>The signing secret; unset, a key made at first start is kept in <c>DATA/unsubscribe.key</c>. Nodes of one cluster must share it.</summary>
    public string? Secret { get; set; }
}
