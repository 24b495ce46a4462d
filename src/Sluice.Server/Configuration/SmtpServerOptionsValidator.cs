using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Server.Auth;

namespace Sluice.Server.Configuration;

/// <summary>The SMTP server's settings (section <c>Smtp</c>): listeners, their limits, AUTH users and TLS files, every error named by its key.</summary>
public sealed class SmtpServerOptionsValidator : IValidateOptions<SmtpServerOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Listeners.Count; i++)
        {
            ValidateListener(options, options.Listeners[i], string.Create(CultureInfo.InvariantCulture, $"Smtp:Listeners:{i}"), seen, errors);
        }

        for (var i = 0; i < options.Auth.Users.Count; i++)
        {
            var user = options.Auth.Users[i];
            var key = string.Create(CultureInfo.InvariantCulture, $"Smtp:Auth:Users:{i}");
            if (string.IsNullOrEmpty(user.Name))
            {
                errors.Add($"{key}:Name: must not be empty");
            }

            if (!PasswordHasher.IsWellFormed(user.PasswordHash))
            {
                errors.Add($"{key}:PasswordHash: not a hash from 'sluice passwd' (pbkdf2-sha256$ITERATIONS$SALT$HASH)");
            }
        }

        if (options.Auth.MaxFailures < 1)
        {
            errors.Add("Smtp:Auth:MaxFailures: must be at least 1");
        }

        var tls = options.Tls;
        if (string.IsNullOrEmpty(tls.CertificateFile) != string.IsNullOrEmpty(tls.KeyFile))
        {
            errors.Add("Smtp:Tls: set both CertificateFile and KeyFile, or neither for a self-signed certificate");
        }
        else if (!string.IsNullOrEmpty(tls.CertificateFile))
        {
            if (!File.Exists(tls.CertificateFile))
            {
                errors.Add($"Smtp:Tls:CertificateFile: '{tls.CertificateFile}' does not exist");
            }

            if (!File.Exists(tls.KeyFile))
            {
                errors.Add($"Smtp:Tls:KeyFile: '{tls.KeyFile}' does not exist");
            }

            if (File.Exists(tls.CertificateFile) && File.Exists(tls.KeyFile) && CertificateProblem(tls.CertificateFile, tls.KeyFile!) is { } problem)
            {
                errors.Add($"Smtp:Tls: {problem}");
            }
        }

        return OptionsValidation.Result(errors);
    }

    private static void ValidateListener(SmtpServerOptions smtp, SmtpListenerOptions listener, string key, HashSet<string> seen, List<string> errors)
    {
        if (!IPEndPoint.TryParse(listener.Address, out var endpoint) || !listener.Address.Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"{key}:Address: '{listener.Address}' is not ADDRESS:PORT");
        }
        else if (endpoint.Port != 0 && !seen.Add(endpoint.ToString()))
        {
            errors.Add($"{key}:Address: '{listener.Address}' is used by another listener");
        }

        for (var j = 0; j < listener.TrustedNetworks.Count; j++)
        {
            if (!IPNetwork.TryParse(listener.TrustedNetworks[j], out _))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:TrustedNetworks:{j}: '{listener.TrustedNetworks[j]}' is not a CIDR network"));
            }
        }

        for (var j = 0; j < listener.ProxyTrustedNetworks.Count; j++)
        {
            if (!IPNetwork.TryParse(listener.ProxyTrustedNetworks[j], out _))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:ProxyTrustedNetworks:{j}: '{listener.ProxyTrustedNetworks[j]}' is not a CIDR network"));
            }
        }

        if (listener.ProxyProtocol && listener.ProxyTrustedNetworks.Count == 0)
        {
            errors.Add($"{key}:ProxyTrustedNetworks: ProxyProtocol needs the balancers' networks (PROXY headers are honoured only from them)");
        }
        else if (!listener.ProxyProtocol && listener.ProxyTrustedNetworks.Count > 0)
        {
            errors.Add($"{key}:ProxyTrustedNetworks: set ProxyProtocol to true as well, or remove them");
        }

        if (listener.Role != ListenerRole.Relay && listener.TrustedNetworks.Count > 0)
        {
            errors.Add($"{key}:TrustedNetworks: only a relay listener trusts networks; a {listener.Role} listener would ignore them");
        }

        if (listener.Role == ListenerRole.Submission && smtp.Auth.Users.Count == 0)
        {
            errors.Add($"{key}:Role: a submission listener needs Smtp:Auth:Users (relaying there requires AUTH)");
        }

        var limits = listener.Limits;
        if (limits.MaxCommandLineLength < 512)
        {
            errors.Add($"{key}:Limits:MaxCommandLineLength: must be at least 512 (RFC 5321 section 4.5.3.1.4)");
        }

        if (limits.CommandLineTolerance < 0)
        {
            errors.Add($"{key}:Limits:CommandLineTolerance: must not be negative");
        }

        if (limits.MaxTextLineLength is > 0 and < 1000)
        {
            errors.Add($"{key}:Limits:MaxTextLineLength: must be at least 1000 (RFC 5321 section 4.5.3.1.6), or 0 for no limit");
        }

        if (limits.MaxRecipients < 100)
        {
            errors.Add($"{key}:Limits:MaxRecipients: must be at least 100 (RFC 5321 section 4.5.3.1.8)");
        }

        if (limits.MaxMessageSize < 1024)
        {
            errors.Add($"{key}:Limits:MaxMessageSize: must be at least 1024 octets");
        }

        if (limits.MaxErrors < 1 || limits.MaxConnections < 1 || limits.MaxConnectionsPerClient < 1)
        {
            errors.Add($"{key}:Limits: MaxErrors, MaxConnections and MaxConnectionsPerClient must be at least 1");
        }

        if (limits.CommandTimeout <= TimeSpan.Zero || limits.DataTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{key}:Limits: CommandTimeout and DataTimeout must be positive");
        }

        if (double.IsNaN(limits.StressThreshold) || limits.StressThreshold <= 0 || limits.StressThreshold > 1)
        {
            errors.Add($"{key}:Limits:StressThreshold: must be a fraction of MaxConnections above 0 and at most 1 (1 turns stress mode off)");
        }

        if (limits.StressTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{key}:Limits:StressTimeout: must be positive");
        }

        if (limits.MinDataRate < 0)
        {
            errors.Add($"{key}:Limits:MinDataRate: must not be negative");
        }
    }

    /// <summary>Why the two files are not a PEM certificate and its private key (loaded here so that start-up says so, not STARTTLS later).</summary>
    private static string? CertificateProblem(string certificateFile, string keyFile)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            return null;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return $"'{certificateFile}' and '{keyFile}' are not a PEM certificate and its private key ({ex.Message.ReplaceLineEndings(" ").TrimEnd('.')})";
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return $"cannot read '{certificateFile}' or '{keyFile}' ({ex.Message.ReplaceLineEndings(" ").TrimEnd('.')})";
        }
    }
}
