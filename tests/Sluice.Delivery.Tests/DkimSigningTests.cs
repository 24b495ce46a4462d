using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Sluice.Core.Messages;
using Sluice.Delivery.Dkim;
using Sluice.Testing;

namespace Sluice.Delivery.Tests;

/// <summary>DKIM at intake: which keys sign, that the stored bytes are the signed ones, and MimeKit's verifier agreeing (the independent verifiers run in the integration tests).</summary>
public sealed class DkimSigningTests : IDisposable
{
    private const string Message = "Received: from api ([127.0.0.1])\r\n\tby node.test (Sluice) with HTTP id 01ABC;\r\n\tMon, 30 Nov 2026 12:00:00 +0000\r\nFrom: News <news@mail.brand.example>\r\nTo: reader@dest.example\r\nSubject: Hello\r\nDate: Mon, 30 Nov 2026 12:00:00 +0000\r\nMessage-ID: <01ABC@node.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello,  world \r\n\r\n\r\n";
    private readonly TempDirectory _dir = new();
    private readonly Dictionary<string, string> _records = new(StringComparer.OrdinalIgnoreCase);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Sign_RsaAndEd25519ForTheParentDomain_TwoSignaturesBothVerify()
    {
        var signing = new DkimSigning();
        signing.Apply([Key("brand.example", "rsa1", "rsa"), Key("brand.example", "ed1", "ed25519")]);

        var signed = Signed(signing, Message);

        var message = MimeMessage.Load(new MemoryStream(signed));
        var signatures = message.Headers.Where(h => h.Id == HeaderId.DkimSignature).ToList();
        Assert.Equal(2, signatures.Count);
        Assert.Contains("a=ed25519-sha256", signatures[0].Value, StringComparison.Ordinal);
        Assert.Contains("a=rsa-sha256", signatures[1].Value, StringComparison.Ordinal);
        var verifier = new DkimVerifier(new Locator(_records));
        foreach (var signature in signatures)
        {
            Assert.True(await verifier.VerifyAsync(message, signature), signature.Value);
        }

        // The message after the fields is the one received, byte for byte.
        Assert.EndsWith(Message, Encoding.UTF8.GetString(signed), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("From: someone@other.example\r\nSubject: x\r\n\r\nbody\r\n")]
    [InlineData("Subject: no from\r\n\r\nbody\r\n")]
    [InlineData("From: not an address\r\n\r\nbody\r\n")]
    public void Sign_NoKeyForTheFromDomain_Unsigned(string message)
    {
        var signing = new DkimSigning();
        signing.Apply([Key("brand.example", "rsa1", "rsa")]);

        using var buffer = Buffer(message);
        Assert.Null(signing.Sign(buffer, new Envelope("x@y", []), Sluice.Core.Messages.HeaderField.Read(buffer, "From"u8)));
    }

    [Fact]
    public void Apply_KeyFileNotAKey_RefusedNamingTheKeyAndTheRunningSetKept()
    {
        var signing = new DkimSigning();
        signing.Apply([Key("brand.example", "rsa1", "rsa")]);
        var bad = Path.Combine(_dir.Path, "bad.key");
        File.WriteAllText(bad, "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");

        var error = Assert.Throws<FormatException>(() => signing.Apply([Key("brand.example", "rsa2", "rsa"), new DkimKeyOptions { Domain = "brand.example", Selector = "x", KeyFile = bad }]));

        Assert.StartsWith("Dkim:Keys:1:KeyFile: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, signing.KeyCount);
        Assert.Contains("s=rsa1", Encoding.ASCII.GetString(Signed(signing, Message)), StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_RsaRecord_IsTheKeysPublicHalf()
    {
        var key = DkimKeyGenerator.Generate("Brand.Example", "sel", "rsa");

        Assert.Equal("sel._domainkey.brand.example", key.RecordName);
        Assert.StartsWith("v=DKIM1; k=rsa; p=MIIBIjAN", key.RecordValue, StringComparison.Ordinal);
        Assert.All(DkimKeyGenerator.ZoneStrings(key.RecordValue).Split("\" \""), s => Assert.True(s.Trim('"').Length <= 255));
    }

    private static byte[] Signed(DkimSigning signing, string message)
    {
        using var buffer = Buffer(message);
        var fields = signing.Sign(buffer, new Envelope("news@mail.brand.example", [new EnvelopeRecipient("reader@dest.example")]), Sluice.Core.Messages.HeaderField.Read(buffer, "From"u8));
        Assert.NotNull(fields);
        Assert.EndsWith("\r\n", Encoding.ASCII.GetString(fields), StringComparison.Ordinal);
        return [.. fields, .. Encoding.UTF8.GetBytes(message)];
    }

    private static MessageBuffer Buffer(string text)
    {
        var buffer = new MessageBuffer(Path.GetTempPath());
        buffer.Write(Encoding.UTF8.GetBytes(text));
        return buffer;
    }

    private DkimKeyOptions Key(string domain, string selector, string algorithm)
    {
        var generated = DkimKeyGenerator.Generate(domain, selector, algorithm);
        var path = Path.Combine(_dir.Path, $"{domain}.{selector}.key");
        File.WriteAllText(path, generated.PrivateKeyPem);
        _records[generated.RecordName] = generated.RecordValue;
        return new DkimKeyOptions { Domain = domain, Selector = selector, KeyFile = path };
    }

    /// <summary>Public keys from the records the generator printed, as DNS would serve them.</summary>
    private sealed class Locator(Dictionary<string, string> records) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => GetPublicKey(records[$"{selector}._domainkey.{domain}"]);

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }
}
