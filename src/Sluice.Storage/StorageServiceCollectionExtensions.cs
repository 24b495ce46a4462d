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
    /// <param name="sharedState">The cluster's state store; null: state.db in the data folder.</param>
    /// <param name="sharedQueue">The cluster's message queue; null: the spool is the node's queue (it still opens: a node moving into a cluster drains it).</param>
    public static IServiceCollection AddSluiceStorage(this IServiceCollection services, SpoolOptions options, TimeProvider time, Func<IServiceProvider, SqlStateStore>? sharedState = null, Func<IServiceProvider, IMessageQueue>? sharedQueue = null)
    {
        OptionsValidation.Guard(options, new SpoolOptionsValidator());
        services.AddSingleton(options);
        services.AddSingleton(sp => SqliteSpool.Open(
            options,
            time,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sluice.Spool"),
            sp.GetRequiredService<SluiceMetrics>()));
        services.AddSingleton<IMessageQueue>(sp => sharedQueue?.Invoke(sp) ?? sp.GetRequiredService<SqliteSpool>());

        if (sharedState is not null)
        {
            return services.AddSluiceStateStore(sharedState);
        }

        // After the spool: on a full disk its open gives up the reserve that lets this one open too.
        return services.AddSluiceStateStore(sp =>
        {
            sp.GetRequiredService<SqliteSpool>();
            return SqliteStateDatabase.Open(options.Directory);
        });
    }

    /// <summary>The state store behind every state interface: state.db on one node, PostgreSQL in a cluster.</summary>
    public static IServiceCollection AddSluiceStateStore(this IServiceCollection services, Func<IServiceProvider, SqlStateStore> open)
    {
        services.AddSingleton(open);
        services.AddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<SqlStateStore>());
        services.AddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<SqlStateStore>());
        services.AddSingleton<ISuppressionStore>(sp => sp.GetRequiredService<SqlStateStore>());
        services.AddSingleton<ISoftBounceLedger>(sp => sp.GetRequiredService<SqlStateStore>());
        services.AddSingleton<ITemplateStore>(sp => sp.GetRequiredService<SqlStateStore>());
        return services;
    }
}
