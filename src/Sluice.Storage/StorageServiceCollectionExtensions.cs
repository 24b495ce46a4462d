using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Core;
using Sluice.Core.Queue;
using Sluice.Core.State;
using Sluice.Core.Telemetry;
using Sluice.Storage.State;

namespace Sluice.Storage;

/// <summary>The embedded storage of a node: the spool (its queue) and the state store beside it in the data folder.</summary>
public static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddSluiceStorage(this IServiceCollection services, SpoolOptions options, TimeProvider time)
    {
        OptionsValidation.Guard(options, new SpoolOptionsValidator());
        services.AddSingleton(options);
        services.AddSingleton(sp => SqliteSpool.Open(
            options,
            time,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sluice.Spool"),
            sp.GetRequiredService<SluiceMetrics>()));
        services.AddSingleton<IMessageQueue>(sp => sp.GetRequiredService<SqliteSpool>());

        // After the spool: on a full disk its open gives up the reserve that lets this one open too.
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<SqliteSpool>();
            return SqliteStateStore.Open(options.Directory);
        });
        services.AddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<SqliteStateStore>());
        services.AddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<SqliteStateStore>());
        services.AddSingleton<ISuppressionStore>(sp => sp.GetRequiredService<SqliteStateStore>());
        services.AddSingleton<ISoftBounceLedger>(sp => sp.GetRequiredService<SqliteStateStore>());
        services.AddSingleton<ITemplateStore>(sp => sp.GetRequiredService<SqliteStateStore>());
        return services;
    }
}
