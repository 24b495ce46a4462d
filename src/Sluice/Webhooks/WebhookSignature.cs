using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Webhooks;

/// <summary>
/// The <c>Sluice-Signature</c> header: <c>t=UNIX-SECONDS,v1=HEX</c>, where HEX is the HMAC-SHA256,
/// keyed with the webhook's secret, of <c>t</c>, a dot, and the body's bytes. Signing the time with
/// the body makes a captured post useless later: a receiver rejects a <c>t</c> older than a few
/// minutes and compares in constant time (the scheme Stripe and others use; README has a receiver's check).
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
}
