using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Testing;

/// <summary>A test certificate authority and certificates it issues, written as PEM files (for peers that must pass certificate checks).</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly RSA _caKey = RSA.Create(2048);
    private readonly X509Certificate2 _ca;
    private readonly string _directory;

    public TestCertificates(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        var request = new CertificateRequest("CN=Sluice Test CA", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        _ca = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        CaFile = Path.Combine(directory, "ca.pem");
        File.WriteAllText(CaFile, _ca.ExportCertificatePem());
    }

    /// <summary>The CA certificate (PEM): a trust bundle with only this root (SSL_CERT_FILE for a child process).</summary>
    public string CaFile { get; }

    /// <summary>A server certificate for <paramref name="names"/> signed by the CA: its PEM certificate and key files.</summary>
    public (string Certificate, string Key) Issue(string fileName, params string[] names)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(_ca, now.AddDays(-1), now.AddDays(29), RandomNumberGenerator.GetBytes(16));
        var certificate = Path.Combine(_directory, fileName + ".pem");
        var keyFile = Path.Combine(_directory, fileName + ".key");
        File.WriteAllText(certificate, issued.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificate, keyFile);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }
}
