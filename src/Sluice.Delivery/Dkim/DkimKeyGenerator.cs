using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace Sluice.Delivery.Dkim;

/// <summary>
/// Makes a signing key and the DNS record that publishes it: RSA (PKCS#8 PEM; the record's p= is
/// the SubjectPublicKeyInfo, RFC 6376 §3.6.1) or Ed25519 (PKCS#8 PEM; p= is the raw 32-byte public
/// key, RFC 8463 §4.2).
/// </summary>
public static class DkimKeyGenerator
{
    public sealed record GeneratedKey(string PrivateKeyPem, string RecordName, string RecordValue, string Algorithm);

    public static GeneratedKey Generate(string domain, string selector, string algorithm, int rsaBits = 2048)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var name = $"{selector}._domainkey.{domain.ToLowerInvariant()}";
        switch (algorithm.ToLowerInvariant())
        {
            case "rsa":
                using (var rsa = RSA.Create(rsaBits))
                {
                    return new GeneratedKey(rsa.ExportPkcs8PrivateKeyPem() + "\n", name, $"v=DKIM1; k=rsa; p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}", "rsa-sha256");
                }

            case "ed25519":
                var key = new Ed25519PrivateKeyParameters(new SecureRandom());
                var der = PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetDerEncoded();
                return new GeneratedKey(new string(PemEncoding.Write("PRIVATE KEY", der)) + "\n", name, $"v=DKIM1; k=ed25519; p={Convert.ToBase64String(key.GeneratePublicKey().GetEncoded())}", "ed25519-sha256");
            default:
                throw new ArgumentException($"'{algorithm}' is not rsa or ed25519", nameof(algorithm));
        }
    }

    /// <summary>A TXT value as DNS character-strings of at most 255 octets (RFC 1035 §3.3.14), quoted, for a zone file.</summary>
    public static string ZoneStrings(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var parts = new List<string>();
        for (var i = 0; i < value.Length; i += 250)
        {
            parts.Add(string.Concat("\"", value.AsSpan(i, Math.Min(250, value.Length - i)), "\""));
        }

        return string.Join(" ", parts);
    }
}
