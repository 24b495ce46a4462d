namespace Sluice.Server.Configuration;

/// <summary>Server certificate as PEM files; with neither set a self-signed one is made in the data folder.</summary>
public sealed class TlsOptions
{
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }
}
