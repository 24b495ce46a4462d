using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sluice.Server.Configuration;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests;

/// <summary>AddSluiceSmtp checks the options it is given with the component's own validator.</summary>
public sealed class SmtpRegistrationTests
{
    [Fact]
    public void AddSluiceSmtp_OptionsTheValidatorRefuses_ThrowsWithEveryFailure()
    {
        var options = new SmtpServerOptions
        {
            Listeners = [new SmtpListenerOptions { Address = "nope", Limits = new SmtpLimits { MaxRecipients = 5 } }],
        };

        var thrown = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddSluiceSmtp(options, Path.GetTempPath(), TimeProvider.System));

        Assert.Contains("Smtp:Listeners:0:Address: 'nope' is not ADDRESS:PORT", thrown.Failures);
        Assert.Contains("Smtp:Listeners:0:Limits:MaxRecipients: must be at least 100 (RFC 5321 section 4.5.3.1.8)", thrown.Failures);
    }

    [Fact]
    public void AddSluiceSmtp_ValidOptions_RegistersTheServer()
    {
        var services = new ServiceCollection().AddSluiceSmtp(new SmtpServerOptions { Listeners = [new SmtpListenerOptions()] }, Path.GetTempPath(), TimeProvider.System);

        Assert.Contains(services, d => d.ServiceType == typeof(SmtpServer));
        Assert.Contains(services, d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService));
    }
}
