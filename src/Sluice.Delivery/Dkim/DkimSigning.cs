using System.Text;
using MimeKit;
using Sluice.Core.Intake;
using Sluice.Core.Messages;

namespace Sluice.Delivery.Dkim;

/// <summary>
/// DKIM signing at intake (RFC 6376; Ed25519 per RFC 8463) with MimeKit: a message whose From
/// domain, or a parent of it (relaxed alignment, RFC 7489 §3.1.1), has keys is signed with each of
/// them, and the DKIM-Signature fields are put before the stored bytes, so every delivery attempt
/// sends what was signed. The key set is replaced whole by <see cref="Apply"/> (configuration reload:
/// keys rotate without a restart).
/// </summary>
public sealed class DkimSigning : IMessageSigner
{
    private static readonly FormatOptions Crlf = Bounces.NodeMail.Crlf;
    private volatile Dictionary<string, DkimKey[]> _byDomain = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many keys are loaded.</summary>
    public int KeyCount => _byDomain.Values.Sum(keys => keys.Length);

    /// <summary>Loads every key first, then swaps them in; a key that does not load leaves the running set as it was and throws a <see cref="FormatException"/> naming it.</summary>
    public void Apply(IReadOnlyList<DkimKeyOptions> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var loaded = new Dictionary<string, List<DkimKey>>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < keys.Count; i++)
        {
            var key = DkimKeyLoader.Load(keys[i], i);
            if (!loaded.TryGetValue(key.Domain, out var list))
            {
                loaded[key.Domain] = list = [];
            }

            list.Add(key);
        }

        _byDomain = loaded.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
    }

    public byte[]? Sign(MessageBuffer content, Envelope envelope, string? from)
    {
        ArgumentNullException.ThrowIfNull(content);
        var byDomain = _byDomain;
        if (byDomain.Count == 0 || Keys(byDomain, from) is not { } keys)
        {
            return null;
        }

        content.Flush();
        using var stream = new MessageBufferReadStream(content);
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(ParserOptions.Default, stream, persistent: true);
            foreach (var key in keys)
            {
                key.Signer.Sign(Crlf, message, key.Headers);
            }
        }
        catch (FormatException)
        {
            // Not a message MimeKit can parse: it goes unsigned, as it came (the receiver judges it).
            return null;
        }

        // Each Sign put its field first: the newest is on top, as a signer adds them.
        var fields = new StringBuilder();
        foreach (var header in message.Headers)
        {
            if (header.Id == HeaderId.DkimSignature)
            {
                fields.Append(header.Field).Append(':').Append(Encoding.ASCII.GetString(header.RawValue));
            }
        }

        // MimeKit keeps raw values with bare LF; on the wire, and as hashed (FormatOptions Dos), lines end in CRLF.
        return Encoding.ASCII.GetBytes(fields.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));
    }

    /// <summary>The keys for the From address's domain, or the nearest parent domain that has some.</summary>
    private static DkimKey[]? Keys(Dictionary<string, DkimKey[]> byDomain, string? from)
    {
        if (from is null || !InternetAddressList.TryParse(from, out var list) || list.Mailboxes.FirstOrDefault() is not { } mailbox)
        {
            return null;
        }

        var domain = mailbox.Domain;
        while (domain.Length > 0)
        {
            if (byDomain.TryGetValue(domain, out var keys))
            {
                return keys;
            }

            var dot = domain.IndexOf('.', StringComparison.Ordinal);
            domain = dot < 0 ? string.Empty : domain[(dot + 1)..];
        }

        return null;
    }
}
