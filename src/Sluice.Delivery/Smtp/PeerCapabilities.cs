using System.Globalization;

namespace Sluice.Delivery.Smtp;

/// <summary>What the peer's EHLO reply offered.</summary>
public sealed record PeerCapabilities(
    bool Esmtp,
    bool Pipelining,
    long? MaxSize,
    bool EightBitMime,
    bool SmtpUtf8,
    bool Chunking,
    bool StartTls,
    bool Dsn,
    bool EnhancedStatusCodes,
    bool AuthPlain = false)
{
    public static readonly PeerCapabilities Helo = new(false, false, null, false, false, false, false, false, false);

    public static PeerCapabilities FromEhlo(IReadOnlyList<string> lines)
    {
        bool Has(string keyword) => lines.Skip(1).Any(l => l.Split(' ')[0].Equals(keyword, StringComparison.OrdinalIgnoreCase));
        long? size = null;
        var authPlain = false;
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 1 && parts[0].Equals("AUTH", StringComparison.OrdinalIgnoreCase))
            {
                authPlain |= parts.Skip(1).Any(m => m.Equals("PLAIN", StringComparison.OrdinalIgnoreCase));
            }

            if (parts.Length == 2 && parts[0].Equals("SIZE", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                size = n;
            }
        }

        return new PeerCapabilities(true, Has("PIPELINING"), size, Has("8BITMIME"), Has("SMTPUTF8"), Has("CHUNKING"), Has("STARTTLS"), Has("DSN"), Has("ENHANCEDSTATUSCODES"), authPlain);
    }
}
