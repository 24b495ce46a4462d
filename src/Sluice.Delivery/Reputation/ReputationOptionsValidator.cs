using System.Globalization;

namespace Sluice.Delivery.Reputation;

/// <summary>The <c>Reputation</c> section's checks, each "key: reason".</summary>
public static class ReputationOptionsValidator
{
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(30);

    public static List<string> Validate(ReputationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        CheckWindow(errors, "Reputation:Window", options.Window);
        if (options.MaxSenders < 1)
        {
            errors.Add("Reputation:MaxSenders: must be at least 1");
        }

        for (var i = 0; i < options.Brakes.Count; i++)
        {
            var brake = options.Brakes[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"Reputation:Brakes:{i}");
            CheckWindow(errors, at + ":Window", brake.Window);
            if (brake.MaxBounceRate is null && brake.MaxComplaintRate is null)
            {
                errors.Add($"{at}: set MaxBounceRate, MaxComplaintRate or both (a brake that watches nothing never acts)");
            }

            CheckRate(errors, at + ":MaxBounceRate", brake.MaxBounceRate);
            CheckRate(errors, at + ":MaxComplaintRate", brake.MaxComplaintRate);
            if (brake.MinimumSent < 1)
            {
                errors.Add($"{at}:MinimumSent: must be at least 1");
            }

            if (brake.Pause <= TimeSpan.Zero)
            {
                errors.Add($"{at}:Pause: must be longer than zero");
            }

            if (brake.Senders.Exists(string.IsNullOrWhiteSpace))
            {
                errors.Add($"{at}:Senders: an entry is empty");
            }
        }

        return errors;
    }

    private static void CheckWindow(List<string> errors, string key, TimeSpan window)
    {
        if (window <= TimeSpan.Zero || window > MaxWindow)
        {
            errors.Add($"{key}: must be longer than zero and at most 30 days");
        }
    }

    private static void CheckRate(List<string> errors, string key, double? rate)
    {
        if (rate is { } r && (double.IsNaN(r) || r <= 0 || r > 1))
        {
            errors.Add($"{key}: a share between 0 and 1 (0.05 = 5%), greater than 0");
        }
    }
}
