using System.Reflection;
using Sluice.Core.Queue;
using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>
/// <c>GET /api/v1/cluster</c>: this node (name, role, its queue: embedded or the brokers, connected,
/// consuming, messages in hand), the cluster database (reachable, schema version), the cluster's
/// limits on Redis (reachable, shared or this node's share, leader, live nodes, leases held), the brokers
/// (connected to which), the nodes the database knows with when each was last seen, and the
/// queue's counts by state. A single node answers the same shape with nothing shared.
/// </summary>
internal static class ClusterEndpoints
{
    public static string Version { get; } = typeof(ClusterEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/cluster", async (IServiceProvider services, IMessageQueue queue, Configuration.SluiceOptions options, CancellationToken ct) =>
        {
            var cluster = services.GetService<RabbitMq.RabbitMqQueue>();
            var database = services.GetService<Postgres.PostgresDatabase>();
            var registry = services.GetService<Postgres.NodeRegistry>();
            var redis = services.GetService<Redis.RedisLink>();
            var limits = services.GetService<Redis.RedisLimits>();
            var leader = services.GetService<Redis.RedisLeader>();
            var nodes = registry is null ? null : await registry.ListAsync(ct);
            var summary = await queue.GetSummaryAsync(ct);
            return Results.Ok(new
            {
                node = new
                {
                    name = NodeName(options),
                    role = options.Cluster.RoleName,
                    version = Version,
                    queue = cluster is null ? "embedded" : "rabbitmq",
                    connected = cluster?.IsConnected ?? true,
                    consuming = cluster?.IsConsuming ?? options.Delivery.Enabled,
                    inHand = cluster?.InHandCount,
                },
                brokers = cluster is null ? null : new { uris = options.Cluster.RabbitMq.Uris.Count, shards = options.Cluster.RabbitMq.Shards, connected = cluster.IsConnected },
                database = database is null ? null : new { reachable = nodes is not null, schemaVersion = database.SchemaVersion },
                limits = redis is null ? null : new { store = "redis", reachable = redis.Reachable, shared = redis.Shared, leader = leader!.IsLeader, liveNodes = limits!.LiveNodes, leasesHeld = limits.Held, leasesRevoked = limits.Revoked },
                nodes = nodes?.Select(n => new { n.Name, n.Role, n.Http, n.Version, n.StartedAt, n.SeenAt, alive = registry!.IsAlive(n.SeenAt) }),
                queue = new { summary.Total, summary.ByState },
            });
        }).RequireScope(ApiScopes.Read);
    }

    /// <summary>The node's name in the cluster: configured, or the host name and the HTTP port (unique on one machine).</summary>
    public static string NodeName(Configuration.SluiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Cluster.NodeName is { Length: > 0 } name)
        {
            return name;
        }

        var port = Core.Net.HostPort.TryParse(options.Http.Address, null, out var address) ? address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) : options.Http.Address;
        return Environment.MachineName.ToLowerInvariant() + ":" + port;
    }
}
