namespace Sluice.Delivery.Reputation;

/// <summary>What a sender is, for its rates and brakes: its sending domain, one of its tags (a campaign), or the credential it submits with.</summary>
public enum SenderScope
{
    /// <summary>The domain of the envelope sender.</summary>
    SenderDomain,

    /// <summary>A tag given at submission (the API's <c>tags</c>): a campaign or a stream.</summary>
    Tag,

    /// <summary>The API key's name for mail sent over the HTTP API; the SMTP AUTH user for mail submitted over SMTP.</summary>
    ApiKey,
}
