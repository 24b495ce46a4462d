using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;

namespace Sluice.Delivery.Dkim;

/// <summary>Reads PEM private keys (PKCS#1 or PKCS#8 RSA, PKCS#8 Ed25519) into MimeKit signers; a key that does not load is a <see cref="FormatException"/> naming its configuration key and why.</summary>
internal static class DkimKeyLoader
{
    public static DkimKey Load(DkimKeyOptions options, int index)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = $"Dkim:Keys:{index}";
        if (string.IsNullOrWhiteSpace(options.Domain) || Uri.CheckHostName(options.Domain) != UriHostNameType.Dns)
        {
            throw new FormatException($"{key}:Domain: '{options.Domain}' is not a domain name");
        }

        if (string.IsNullOrWhiteSpace(options.Selector) || options.Selector.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
        {
            throw new FormatException($"{key}:Selector: '{options.Selector}' is not a selector (letters, digits, '-' and '.')");
        }

        var privateKey = Read(options.KeyFile, key);
        var algorithm = privateKey switch
        {
            RsaKeyParameters rsa when rsa.Modulus.BitLength < 1024 => throw new FormatException($"{key}:KeyFile: an RSA key of {rsa.Modulus.BitLength} bits is too weak (RFC 8301: 1024 at least; use 2048)"),
            RsaKeyParameters => DkimSignatureAlgorithm.RsaSha256,
            Ed25519PrivateKeyParameters => DkimSignatureAlgorithm.Ed25519Sha256,
            _ => throw new FormatException($"{key}:KeyFile: '{options.KeyFile}' holds a {privateKey.GetType().Name}, not an RSA or Ed25519 private key"),
        };
        var (header, body) = Canonicalization(options.Canonicalization, key);
        DkimSigner signer = algorithm == DkimSignatureAlgorithm.RsaSha256
            ? new NativeRsaDkimSigner(privateKey, File.ReadAllText(options.KeyFile), options.Domain.ToLowerInvariant(), options.Selector)
            : new DkimSigner(privateKey, options.Domain.ToLowerInvariant(), options.Selector, algorithm);
        signer.HeaderCanonicalizationAlgorithm = header;
        signer.BodyCanonicalizationAlgorithm = body;
        return new DkimKey(options.Domain.ToLowerInvariant(), options.Selector, signer, options.Headers.Count > 0 ? [.. options.Headers] : DkimOptions.DefaultHeaders);
    }

    private static AsymmetricKeyParameter Read(string path, string key)
    {
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            throw new FormatException($"{key}:KeyFile: '{path}' does not exist");
        }

        object? pem;
        try
        {
            using var reader = new StreamReader(path);
            pem = new PemReader(reader).ReadObject();
        }
        catch (Exception ex) when (ex is IOException or PemException or InvalidCastException or ArgumentException)
        {
            throw new FormatException($"{key}:KeyFile: '{path}' is not a PEM private key ({ex.Message})", ex);
        }

        return pem switch
        {
            AsymmetricCipherKeyPair pair => pair.Private,
            AsymmetricKeyParameter { IsPrivate: true } single => single,
            _ => throw new FormatException($"{key}:KeyFile: '{path}' is not a PEM private key (RSA or Ed25519)"),
        };
    }

    private static (DkimCanonicalizationAlgorithm Header, DkimCanonicalizationAlgorithm Body) Canonicalization(string value, string key)
    {
        var parts = (value ?? string.Empty).Split('/');
        return parts.Length == 2 && Parse(parts[0]) is { } header && Parse(parts[1]) is { } body
            ? (header, body)
            : throw new FormatException($"{key}:Canonicalization: '{value}' is not header/body with each simple or relaxed");

        static DkimCanonicalizationAlgorithm? Parse(string s) => s.Trim().ToLowerInvariant() switch
        {
            "simple" => DkimCanonicalizationAlgorithm.Simple,
            "relaxed" => DkimCanonicalizationAlgorithm.Relaxed,
            _ => null,
        };
    }
}
