using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Sluice.Server.Configuration;

namespace Sluice.Server.Tls;

/// <summary>
/// Loads the server certificate from PEM files, or makes a self-signed one in the data folder
/// at first start (kept across restarts), so STARTTLS works out of the box.
/// </summary>
internal static class ServerCertificateProvider
{
    public static X509Certificate2 Load(TlsOptions options, string dataDirectory, string hostname, TimeProvider time, ILogger logger)
    {
        if (!string.IsNullOrEmpty(options.CertificateFile))
        {
            using var pem = X509Certificate2.CreateFromPemFile(options.CertificateFile, options.KeyFile);

            // Re-import as PKCS#12: SslStream on Linux needs a certificate whose key is not ephemeral.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        var folder = Path.Combine(dataDirectory, "tls");
        var certPath = Path.Combine(folder, "selfsigned.crt.pem");
        var keyPath = Path.Combine(folder, "selfsigned.key.pem");
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            Directory.CreateDirectory(folder);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={hostname}", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(hostname);
            san.AddDnsName("localhost");
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            var now = time.GetUtcNow();
            using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.WriteAllText(certPath, created.ExportCertificatePem());
            ServerLog.SelfSignedCreated(logger, certPath);
        }
        else
        {
            ServerLog.SelfSignedUsed(logger, certPath);
        }

        using var loaded = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        return X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
    }
}
