using System.Security.Cryptography;
using System.Text;

namespace Sluice.Delivery.Feedback;

/// <summary>
/// Tokens signed with the node's key (HMAC-SHA256), so that addresses and links that name a message
/// need no stored state and cannot be forged: the one-click unsubscribe link (message id, recipient
/// and sending domain: it works as long as the key is kept, whatever the index retains), the
/// unsubscribe mailto address and the VERP return path (the message id and a short MAC, to fit a
/// local part, RFC 5321 §4.5.3.1.1: 64 octets). Each kind has its own MAC purpose, so one cannot
/// stand for another.
/// </summary>
public sealed class SignedTokens
{
    public const string MailtoPrefix = "unsubscribe+";
    public const string ReturnPathPrefix = "bounces+";
    private const int LinkMacBytes = 16;
    private const int MailtoMacBytes = 10;
    private readonly byte[] _key;

    public SignedTokens(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
    }

    /// <summary>The configured secret, else <c>DATA/unsubscribe.key</c> (made at first start, owner-only). Every node of a cluster needs the same.</summary>
    public static SignedTokens Load(string? secret, string dataDirectory)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            return new SignedTokens(Encoding.UTF8.GetBytes(secret));
        }

        var path = Path.Combine(dataDirectory, "unsubscribe.key");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(dataDirectory);
            using var file = new FileStream(path, Core.OwnerOnlyFile.Create(FileMode.CreateNew));
            file.Write(RandomNumberGenerator.GetBytes(32));
        }

        return new SignedTokens(File.ReadAllBytes(path));
    }

    public string ForLink(string messageId, string recipient, string senderDomain)
    {
        var payload = Encoding.UTF8.GetBytes($"{messageId}\n{recipient}\n{senderDomain}");
        return System.Buffers.Text.Base64Url.EncodeToString(payload) + "." + Convert.ToHexStringLower(Mac("link", payload, LinkMacBytes));
    }

    public (string MessageId, string Recipient, string SenderDomain)? ReadLink(string? token)
    {
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot <= 0 || !System.Buffers.Text.Base64Url.IsValid(token.AsSpan(0, dot)) || System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(0, dot)) is not { } payload || !Matches(token![(dot + 1)..], Mac("link", payload, LinkMacBytes)))
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        return parts.Length == 3 ? (parts[0], parts[1], parts[2]) : null;
    }

    /// <summary>The local part of the mailto address: <c>unsubscribe+ID.MAC</c>.</summary>
    public string ForMailto(string messageId) => LocalPart(MailtoPrefix, "mailto", messageId);

    /// <summary>The message id in a mailto local part, when it is one of ours (any case: some MTAs fold local parts).</summary>
    public string? ReadMailto(string localPart) => ReadLocalPart(MailtoPrefix, "mailto", localPart);

    /// <summary>The local part of the VERP return path: <c>bounces+ID.MAC</c>.</summary>
    public string ForReturnPath(string messageId) => LocalPart(ReturnPathPrefix, "return-path", messageId);

    /// <summary>The message id in a return path's local part, when it is one of ours.</summary>
    public string? ReadReturnPath(string localPart) => ReadLocalPart(ReturnPathPrefix, "return-path", localPart);

    private string LocalPart(string prefix, string purpose, string messageId)
        => prefix + messageId + "." + Convert.ToHexStringLower(Mac(purpose, Encoding.UTF8.GetBytes(messageId), MailtoMacBytes));

    private string? ReadLocalPart(string prefix, string purpose, string localPart)
    {
        ArgumentNullException.ThrowIfNull(localPart);
        if (!localPart.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = localPart[prefix.Length..];
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return null;
        }

        var id = token[..dot].ToUpperInvariant();
        return Matches(token[(dot + 1)..].ToLowerInvariant(), Mac(purpose, Encoding.UTF8.GetBytes(id), MailtoMacBytes)) ? id : null;
    }

    private byte[] Mac(string purpose, byte[] payload, int bytes)
    {
        var data = new byte[purpose.Length + 1 + payload.Length];
        Encoding.ASCII.GetBytes(purpose, data);
        data[purpose.Length] = (byte)'\n';
        payload.CopyTo(data, purpose.Length + 1);
        return HMACSHA256.HashData(_key, data)[..bytes];
    }

    private static bool Matches(string hex, byte[] expected)
        => hex.Length == expected.Length * 2 && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hex), Encoding.ASCII.GetBytes(Convert.ToHexStringLower(expected)));

}
