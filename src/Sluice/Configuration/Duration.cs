using System.ComponentModel;
using System.Globalization;

namespace Sluice.Configuration;

/// <summary>
/// Durations as operators write them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, or .NET's
/// <c>hh:mm:ss</c> / <c>d.hh:mm:ss</c>. Registered as TimeSpan's converter for configuration binding,
/// so that every duration key (and the README's own defaults, written <c>1m, 5m, 15m</c>) accepts them.
/// </summary>
internal static class Duration
{
    private static int _registered;

    /// <summary>Makes the configuration binder read TimeSpan values with <see cref="TryParse"/> (once per process).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(Converter)));
        }
    }

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        }

        var unitStart = 0;
        while (unitStart < trimmed.Length && (char.IsAsciiDigit(trimmed[unitStart]) || trimmed[unitStart] == '.'))
        {
            unitStart++;
        }

        if (unitStart == 0 || !double.TryParse(trimmed.AsSpan(0, unitStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        var milliseconds = trimmed[unitStart..].ToUpperInvariant() switch
        {
            "MS" => amount,
            "S" => amount * 1000,
            "M" => amount * 60_000,
            "H" => amount * 3_600_000,
            "D" => amount * 86_400_000,
            _ => double.NaN,
        };
        if (double.IsNaN(milliseconds) || milliseconds > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    private sealed class Converter : TimeSpanConverter
    {
        public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
            => value is string text
                ? TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not a duration (500ms, 30s, 5m, 2h, 1d, or hh:mm:ss)")
                : base.ConvertFrom(context, culture, value);
    }
}
