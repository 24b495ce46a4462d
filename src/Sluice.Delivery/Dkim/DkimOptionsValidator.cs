namespace Sluice.Delivery.Dkim;

/// <summary>The <c>Dkim</c> section's check: every key loads (so a node never starts unable to sign what it should).</summary>
public static class DkimOptionsValidator
{
    public static List<string> Validate(DkimOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.Keys.Count; i++)
        {
            try
            {
                DkimKeyLoader.Load(options.Keys[i], i);
            }
            catch (FormatException ex)
            {
                errors.Add(ex.Message);
            }
        }

        return errors;
    }
}
