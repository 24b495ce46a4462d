using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Webhooks;

/// <summary>
/// The <c>Sluice-Signature</c> header: <c>t=UNIX-SECONDS,v1=HEX</c>, where HEX is the HMAC-SHA256,
/// keyed with the webhook's secret, of <c>t</c>, a dot, and the body's bytes. Signing the time with
/// the body makes a captured post useless later: a receiver rejects a <c>t</c> older than a few
/// minutes and compares in constant time (the scheme Stripe and others use).
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "Sluice-Signature";

    public static string Create(string secret, DateTimeOffset time, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var t = time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = new byte[Encoding.ASCII.GetByteCount(t) + 1 + body.Length];
        var n = Encoding.ASCII.GetBytes(t, signed);
        signed[n] = (byte)'.';
        body.CopyTo(signed.AsSpan(n + 1));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>True when <paramref name="header"/> signs <paramref name="body"/> with <paramref name="secret"/> at a time within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool Verify(string secret, string header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(header);
        string? t = null, v1 = null;
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                (t, v1) = part[..eq].Trim() switch
                {
                    "t" => (part[(eq + 1)..].Trim(), v1),
                    "v1" => (t, part[(eq + 1)..].Trim()),
                    _ => (t, v1),
                };
            }
        }

        if (t is null || v1 is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Create(secret, DateTimeOffset.FromUnixTimeSeconds(seconds), body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes($"t={t},v1={v1}"));
    }
}
