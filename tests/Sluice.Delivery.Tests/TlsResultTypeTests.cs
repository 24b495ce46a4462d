using Sluice.Delivery.TlsReporting;

namespace Sluice.Delivery.Tests;

public sealed class TlsResultTypeTests
{
    [Theory]
    [InlineData("TLS is required for this destination but the peer does not offer STARTTLS", "starttls-not-supported")]
    [InlineData("The remote certificate was rejected by the provided RemoteCertificateValidationCallback: RemoteCertificateNameMismatch, RemoteCertificateChainErrors", "certificate-not-trusted")]
    [InlineData("The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch", "certificate-host-mismatch")]
    [InlineData("The remote certificate is invalid because of errors in the certificate chain: NotTimeValid", "certificate-expired")]
    [InlineData("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot", "certificate-not-trusted")]
    [InlineData("Authentication failed because the remote party sent a TLS alert", "validation-failure")]
    public void Of_PlatformsAccount_NamesTheRfc8460ResultType(string detail, string expected)
        => Assert.Equal(expected, TlsResultType.Of(detail));
}
