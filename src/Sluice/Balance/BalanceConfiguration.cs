using System.Globalization;
using System.Net;
using Sluice.Configuration;
using Sluice.Core.Balancing;

namespace Sluice.Balance;

/// <summary>Loads, binds and validates the balancer's configuration: file, SLUICE__ variables, then flags. Errors name the key.</summary>
internal static class BalanceConfiguration
{
    /// <summary>The pool the command-line flags build.</summary>
    public const string FlagPool = "nodes";

    public static IConfigurationRoot Build(string? configFile, IReadOnlyList<string> listen, IReadOnlyList<string> nodes, IReadOnlyList<string> standby, string? policy, string? proxy, string? http)
    {
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < listen.Count; i++)
        {
            flags[string.Create(CultureInfo.InvariantCulture, $"Balance:Listeners:{i}:Address")] = listen[i];
        }

        if (nodes.Count + standby.Count > 0)
        {
            flags["Balance:Pools:0:Name"] = FlagPool;
            var members = nodes.Select(n => (Address: n, Tier: 1)).Concat(standby.Select(s => (Address: s, Tier: 2))).ToList();
            for (var i = 0; i < members.Count; i++)
            {
                flags[string.Create(CultureInfo.InvariantCulture, $"Balance:Pools:0:Members:{i}:Address")] = members[i].Address;
                flags[string.Create(CultureInfo.InvariantCulture, $"Balance:Pools:0:Members:{i}:Tier")] = members[i].Tier.ToString(CultureInfo.InvariantCulture);
            }
        }

        if (policy is not null)
        {
            flags["Balance:Pools:0:Policy"] = policy;
        }

        if (proxy is not null)
        {
            flags["Balance:ProxyProtocol"] = proxy;
        }

        if (http is not null)
        {
            flags["Balance:Http"] = http;
        }

        return SluiceConfiguration.Build(configFile, [], null, null, flags);
    }

    public static BalanceOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Duration.Register();

        // The Balance section only: SLUICE__ variables meant for a node on the same machine share the root.
        var schemaErrors = ConfigurationSchema.Check(configuration.GetSection("Balance"), typeof(BalanceOptions), "Balance");
        schemaErrors.AddRange(ConfigurationSchema.Check(configuration.GetSection("Logging"), typeof(Logging.LoggingOptions), "Logging"));
        if (schemaErrors.Count > 0)
        {
            throw new ConfigurationException(schemaErrors);
        }

        var options = new BalanceOptions();
        try
        {
            foreach (var pool in configuration.GetSection("Balance:Pools").GetChildren())
            {
                foreach (var member in pool.GetSection("Members").GetChildren())
                {
                    member.Get<BalancerMemberOptions>();
                }

                pool.Get<BalancerPoolOptions>();
            }

            foreach (var listener in configuration.GetSection("Balance:Listeners").GetChildren())
            {
                listener.Get<BalanceListenerOptions>();
            }

            configuration.GetSection("Balance").Bind(options);
            configuration.GetSection("Logging").Bind(options.Logging);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationException(ex.InnerException is null ? ex.Message : $"{ex.Message} {ex.InnerException.Message}");
        }

        if (options.Listeners.Count == 0)
        {
            options.Listeners.Add(new BalanceListenerOptions());
        }

        var errors = Validate(options);
        return errors.Count > 0 ? throw new ConfigurationException(errors) : options;
    }

    public static List<string> Validate(BalanceOptions options)
    {
        var errors = new BalancerPoolsValidator("Balance:Pools").Validate(options.Pools);
        if (options.Pools.Count == 0)
        {
            errors.Add("Balance:Pools: no nodes to balance to (configure a pool, or pass --node ADDR:PORT)");
        }

        for (var i = 0; i < options.Listeners.Count; i++)
        {
            var listener = options.Listeners[i];
            var key = string.Create(CultureInfo.InvariantCulture, $"Balance:Listeners:{i}");
            if (!IPEndPoint.TryParse(listener.Address, out _) || !listener.Address.Contains(':', StringComparison.Ordinal))
            {
                errors.Add($"{key}:Address: '{listener.Address}' is not ADDRESS:PORT");
            }

            if (listener.Pool is { } pool && !options.Pools.Any(p => string.Equals(p.Name, pool, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"{key}:Pool: no pool named '{pool}' in Balance:Pools");
            }
        }

        if (!IPEndPoint.TryParse(options.Http, out _) || !options.Http.Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"Balance:Http: '{options.Http}' is not ADDRESS:PORT");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.CloseTimeout <= TimeSpan.Zero)
        {
            errors.Add("Balance: ConnectTimeout and CloseTimeout must be positive");
        }

        errors.AddRange(Logging.LoggingOptionsValidator.Validate(options.Logging));
        if (options.SocketThreads is < 0 or > 1024)
        {
            errors.Add($"Balance:SocketThreads: {options.SocketThreads} is not between 0 (one per core) and 1024");
        }

        return errors;
    }
}
