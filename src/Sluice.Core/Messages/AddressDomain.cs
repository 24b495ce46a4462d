namespace Sluice.Core.Messages;

/// <summary>The domain of a mail address, lower case; "" for the null sender or a bare local part.</summary>
public static class AddressDomain
{
    public static string Of(string? address)
    {
        var at = address?.LastIndexOf('@') ?? -1;
        return at < 0 ? string.Empty : address![(at + 1)..].ToLowerInvariant();
    }
}
