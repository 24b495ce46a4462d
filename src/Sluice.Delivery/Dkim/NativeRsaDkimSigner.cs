using System.Security.Cryptography;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Sluice.Delivery.Dkim;

/// <summary>
/// MimeKit's DKIM signer with the RSA operation on the platform's RSA (see <see cref="NativeRsaSigner"/>).
/// One RSA object per thread: sessions sign concurrently, and an RSA instance is not documented as
/// safe to share.
/// </summary>
internal sealed class NativeRsaDkimSigner : DkimSigner, IDisposable
{
    private readonly ThreadLocal<RSA> _rsa;

    public NativeRsaDkimSigner(AsymmetricKeyParameter key, string pem, string domain, string selector)
        : base(key, domain, selector, DkimSignatureAlgorithm.RsaSha256)
    {
        _rsa = new ThreadLocal<RSA>(
            () =>
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                return rsa;
            },
            trackAllValues: true);
    }

    protected override ISigner CreateSigningContext() => new NativeRsaSigner(_rsa.Value!);

    public void Dispose()
    {
        foreach (var rsa in _rsa.Values)
        {
            rsa.Dispose();
        }

        _rsa.Dispose();
    }
}
