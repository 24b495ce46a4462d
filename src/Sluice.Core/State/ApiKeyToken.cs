using System.Security.Cryptography;
using System.Text;

namespace Sluice.Core.State;

/// <summary>
/// API key tokens: <c>sk_ID_SECRET</c>. The id finds the key; the secret (32 random bytes) is
/// checked against a SHA-256 hash. A high-entropy secret needs no slow hash: nobody can guess it,
/// and the hash only keeps a leaked database from being a list of working keys.
/// </summary>
public static class ApiKeyToken
{
    private const string Prefix = "sk_";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A new token and the parts to store.</summary>
    public static (string Token, string Id, string SecretHash) Create()
    {
        Span<byte> idBytes = stackalloc byte[10];
        RandomNumberGenerator.Fill(idBytes);
        var id = new StringBuilder(16);
        foreach (var b in idBytes[..10])
        {
            id.Append(Alphabet[b & 31]);
        }

        var secret = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return ($"{Prefix}{id}_{secret}", id.ToString(), Hash(secret));
    }

    /// <summary>The id and secret of a token, or null when it is not shaped like one.</summary>
    public static (string Id, string Secret)? Parse(string? token)
    {
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = token.AsSpan(Prefix.Length);
        var separator = rest.IndexOf('_');
        return separator is < 1 or > 32 || separator == rest.Length - 1
            ? null
            : (rest[..separator].ToString(), rest[(separator + 1)..].ToString());
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Constant-time comparison of a presented secret with the stored hash.</summary>
    public static bool Verify(string secret, string storedHash)
        => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));
}
