using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sluice.Testing;

namespace Sluice.Server.Tests;

public sealed class TlsCertificateDialogTests
{
    [Fact]
    public async Task StartTls_WithPemFiles_PresentsConfiguredCertificate()
    {
        using var dir = new TempDirectory();
        var (certFile, keyFile) = WritePem(dir.Path, "CN=configured.test.example");
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Tls.CertificateFile = certFile;
            o.Tls.KeyFile = keyFile;
        });
        await using var dialog = await node.HelloAsync();

        Assert.Equal("220 2.0.0 Ready to start TLS", await dialog.CommandAsync("STARTTLS"));
        await dialog.StartTlsAsync();

        Assert.Equal("CN=configured.test.example", dialog.RemoteCertificate?.Subject);
        Assert.StartsWith("250-", await dialog.CommandAsync("EHLO client.example"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartTls_WithoutConfiguredCertificate_UsesSelfSignedKeptInDataFolder()
    {
        await using var node = await TestNode.StartAsync();
        await using var dialog = await node.HelloAsync();
        await dialog.CommandAsync("STARTTLS");
        await dialog.StartTlsAsync();

        Assert.Equal("CN=mx.test.example", dialog.RemoteCertificate?.Subject);
        Assert.True(File.Exists(Path.Combine(node.Directory, "tls", "selfsigned.crt.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(node.Directory, "tls", "selfsigned.key.pem")));
    }

    [Fact]
    public async Task ImplicitTls_Listener_SpeaksTlsFromFirstByteAndOffersAuth()
    {
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Listeners[0].ImplicitTls = true;
            o.Listeners[0].TrustedNetworks = [];
        });
        await using var dialog = await SmtpDialog.ConnectTlsAsync(node.Endpoint);

        var ehlo = await dialog.CommandAsync("EHLO client.example");

        Assert.Contains("250-AUTH PLAIN LOGIN", ehlo, StringComparison.Ordinal);
        Assert.DoesNotContain("STARTTLS", ehlo, StringComparison.Ordinal);
        Assert.StartsWith("235 ", await dialog.CommandAsync("AUTH PLAIN " + TlsAuthDialogTests.Plain(TestNode.User, TestNode.Password)), StringComparison.Ordinal);
    }

    private static (string Cert, string Key) WritePem(string folder, string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certFile = Path.Combine(folder, "server.crt");
        var keyFile = Path.Combine(folder, "server.key");
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }
}
