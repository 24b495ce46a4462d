namespace Sluice.Core.Intake;

/// <summary>
/// Does a recipient's domain take mail at all (asked for API keys with strict validation)? Null when
/// it may; a refusal when the domain does not exist or publishes a null MX. A lookup that fails says
/// nothing and never refuses.
/// </summary>
public interface IRecipientDomainCheck
{
    ValueTask<RecipientRefusal?> CheckAsync(string address, string domain, CancellationToken cancellationToken);
}
