using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Core;
using Sluice.Core.Intake;
using Sluice.Core.Telemetry;
using Sluice.Server.Configuration;

namespace Sluice.Server.Hosting;

/// <summary>The SMTP server: its listeners run as a hosted service and hand what they receive to the registered <see cref="IMessageIntake"/> (Feedback listeners to the one keyed <see cref="ListenerRole.Feedback"/>).</summary>
public static class SmtpServiceCollectionExtensions
{
    public static IServiceCollection AddSluiceSmtp(this IServiceCollection services, SmtpServerOptions options, string dataDirectory, TimeProvider time)
    {
        OptionsValidation.Guard(options, new SmtpServerOptionsValidator());
        services.AddSingleton(options);
        services.AddSingleton(sp => new SmtpServer(
            options,
            dataDirectory,
            sp.GetRequiredService<IMessageIntake>(),
            sp.GetRequiredService<SluiceMetrics>(),
            time,
            sp.GetRequiredService<ILogger<SmtpServer>>(),
            feedback: sp.GetKeyedService<IMessageIntake>(ListenerRole.Feedback)));
        services.AddHostedService(sp => sp.GetRequiredService<SmtpServer>());
        return services;
    }
}
