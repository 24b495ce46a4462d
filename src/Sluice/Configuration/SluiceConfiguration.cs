using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Sluice.Server.Auth;
using Sluice.Server.Configuration;

namespace Sluice.Configuration;

/// <summary>Loads, binds and validates the host configuration. Errors name the key and the reason.</summary>
public static class SluiceConfiguration
{
    public const string EnvironmentPrefix = "SLUICE__";

    /// <summary>The default listener: loopback only, and loopback clients may relay (like Postfix's default mynetworks).</summary>
    public static readonly string[] LoopbackNetworks = ["127.0.0.0/8", "::1/128"];

    public static IConfigurationRoot Build(string? configFile, IReadOnlyList<string> smtpFlags, string? httpFlag, string? dataFlag, IDictionary<string, string?>? overrides = null)
        => Build(configFile, smtpFlags, httpFlag, dataFlag, null, null, false, overrides);

    public static IConfigurationRoot Build(string? configFile, IReadOnlyList<string> smtpFlags, string? httpFlag, string? dataFlag, string? relayHostFlag, string? dnsFlag, bool noDelivery, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new ConfigurationException($"--config: file '{configFile}' does not exist");
            }

            try
            {
                builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
                builder.Build();
            }
            catch (InvalidDataException ex)
            {
                throw new ConfigurationException($"--config: '{configFile}' is not valid JSON: {JsonError(ex)}");
            }
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < smtpFlags.Count; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"Smtp:Listeners:{i}:");
            flags[prefix + "Name"] = string.Create(CultureInfo.InvariantCulture, $"smtp{i}");
            flags[prefix + "Address"] = smtpFlags[i];
        }

        if (httpFlag is not null)
        {
            flags["Http:Address"] = httpFlag;
        }

        if (dataFlag is not null)
        {
            flags["Node:DataDirectory"] = dataFlag;
        }

        if (relayHostFlag is not null)
        {
            flags["Delivery:RelayHost"] = relayHostFlag;
        }

        if (dnsFlag is not null)
        {
            flags["Delivery:Dns:Servers:0"] = dnsFlag;
        }

        if (noDelivery)
        {
            flags["Delivery:Enabled"] = "false";
        }

        if (overrides is not null)
        {
            foreach (var (key, value) in overrides)
            {
                flags[key] = value;
            }
        }

        builder.AddInMemoryCollection(flags);
        return builder.Build();
    }

    /// <summary>Where the JSON parser stopped, in an editor's terms (line and column from 1), and why.</summary>
    internal static string JsonError(InvalidDataException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Text.Json.JsonException { LineNumber: { } line } json)
            {
                return string.Create(CultureInfo.InvariantCulture, $"line {line + 1}, column {(json.BytePositionInLine ?? 0) + 1}: {FirstSentence(json.Message)}");
            }
        }

        return ex.InnerException?.Message ?? ex.Message;
    }

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends "LineNumber: 3 | BytePositionInLine: 7." to its own sentence.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut].TrimEnd();
    }

    public static SluiceOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Duration.Register();

        // Unknown keys, lists given as objects and values that do not convert: all of them, by key,
        // before anything is bound (the binder would ignore the first and report only one of the rest).
        var schemaErrors = ConfigurationSchema.Check(configuration, typeof(SluiceOptions));
        if (schemaErrors.Count > 0)
        {
            throw new ConfigurationException(schemaErrors);
        }

        var options = new SluiceOptions();
        try
        {
            // The binder drops a list element it cannot convert instead of failing; binding each
            // element alone first turns that into an error naming the key.
            BindElements<SmtpListenerOptions>(configuration.GetSection("Smtp:Listeners"));
            BindElements<AuthUserOptions>(configuration.GetSection("Smtp:Auth:Users"));
            BindElements<Delivery.Routing.RouteOptions>(configuration.GetSection("Delivery:Routes"));
            BindElements<TimeSpan>(configuration.GetSection("Delivery:Retry:Intervals"));
            BindElements<Delivery.Egress.EgressSourceOptions>(configuration.GetSection("Delivery:Egress:Sources"));
            foreach (var pool in configuration.GetSection("Delivery:Egress:Pools").GetChildren())
            {
                BindElements<Delivery.Egress.EgressPoolMemberOptions>(pool.GetSection("Members"));
            }

            foreach (var pool in configuration.GetSection("Delivery:Pools").GetChildren())
            {
                BindElements<Core.Balancing.BalancerMemberOptions>(pool.GetSection("Members"));
                pool.Get<Core.Balancing.BalancerPoolOptions>();
            }

            // Dictionaries drop bad entries the same way: each shaping rule, and each rule's source entries.
            foreach (var rule in ShapingRules(configuration.GetSection("Delivery:Shaping")))
            {
                BindElements<Delivery.Shaping.ShapingRule>(rule.GetSection("Sources"));
                rule.Get<Delivery.Shaping.ShapingRule>();
            }

            configuration.Bind(options, o => o.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key and the value it could not convert.
            throw new ConfigurationException(ex.InnerException is null ? ex.Message : $"{ex.Message} {ex.InnerException.Message}");
        }

        ApplyDefaults(options, configuration);
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        return options;
    }

    private static void BindElements<T>(IConfigurationSection list)
    {
        foreach (var element in list.GetChildren())
        {
            element.Get<T>();
        }
    }

    private static IEnumerable<IConfigurationSection> ShapingRules(IConfigurationSection shaping)
    {
        yield return shaping.GetSection("Default");
        foreach (var provider in shaping.GetSection("Providers").GetChildren())
        {
            yield return provider;
        }

        foreach (var domain in shaping.GetSection("Domains").GetChildren())
        {
            yield return domain;
        }
    }

    private static void ApplyDefaults(SluiceOptions options, IConfiguration configuration)
    {
        if (options.Smtp.Listeners.Count == 0)
        {
            options.Smtp.Listeners.Add(new SmtpListenerOptions());
        }

        for (var i = 0; i < options.Smtp.Listeners.Count; i++)
        {
            var listener = options.Smtp.Listeners[i];
            var trustedKey = string.Create(CultureInfo.InvariantCulture, $"Smtp:Listeners:{i}:TrustedNetworks");
            if (listener.Role == ListenerRole.Relay && !configuration.GetSection(trustedKey).Exists())
            {
                listener.TrustedNetworks = [.. LoopbackNetworks];
            }
        }

        options.Spool.Directory = options.Node.DataDirectory;
        if (configuration["Delivery:Client:HeloName"] is null && options.Smtp.Hostname is { } hostname)
        {
            options.Delivery.Client.HeloName = hostname;
        }
    }

    public static List<string> Validate(SluiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Node.DataDirectory))
        {
            errors.Add("Node:DataDirectory: must name a folder");
        }

        if (!IPEndPoint.TryParse(options.Http.Address, out _) || !options.Http.Address.Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"Http:Address: '{options.Http.Address}' is not ADDRESS:PORT");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Smtp.Listeners.Count; i++)
        {
            ValidateListener(options.Smtp, options.Smtp.Listeners[i], string.Create(CultureInfo.InvariantCulture, $"Smtp:Listeners:{i}"), seen, errors);
        }

        for (var i = 0; i < options.Smtp.Auth.Users.Count; i++)
        {
            var user = options.Smtp.Auth.Users[i];
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

        if (options.Smtp.Auth.MaxFailures < 1)
        {
            errors.Add("Smtp:Auth:MaxFailures: must be at least 1");
        }

        var tls = options.Smtp.Tls;
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
        }

        if (options.Spool.MaxBatchSize < 1)
        {
            errors.Add("Spool:MaxBatchSize: must be at least 1");
        }

        if (options.Spool.LargeBodyBytes < 0)
        {
            errors.Add("Spool:LargeBodyBytes: must be 0 (every body in the database) or more");
        }

        if (options.Spool.SegmentBytes < 1024 * 1024)
        {
            errors.Add("Spool:SegmentBytes: must be at least 1048576 (1 MiB)");
        }

        if (options.Spool.MinFreeBytes < 0 || options.Spool.ReserveBytes < 0)
        {
            errors.Add("Spool:MinFreeBytes and Spool:ReserveBytes: must be 0 or more bytes");
        }

        ValidateDelivery(options.Delivery, errors);

        return errors;
    }

    private static void ValidateDelivery(Delivery.Dispatch.DeliveryOptions delivery, List<string> errors)
    {
        if (delivery.RelayHost is { } relay)
        {
            try
            {
                Delivery.Routing.Router.Parse(relay, null);
            }
            catch (FormatException)
            {
                errors.Add($"Delivery:RelayHost: '{relay}' is not HOST:PORT");
            }
        }

        for (var i = 0; i < delivery.Routes.Count; i++)
        {
            if (delivery.Routes[i].Relay is { } routeRelay)
            {
                try
                {
                    Delivery.Routing.Router.Parse(routeRelay, null);
                }
                catch (FormatException)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Routes:{i}:Relay: '{routeRelay}' is not HOST:PORT"));
                }
            }
        }

        for (var i = 0; i < delivery.Dns.Servers.Count; i++)
        {
            try
            {
                Delivery.Dns.MxResolver.ParseServer(delivery.Dns.Servers[i]);
            }
            catch (FormatException)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Dns:Servers:{i}: '{delivery.Dns.Servers[i]}' is not ADDRESS[:PORT]"));
            }
        }

        if (delivery.Retry.Intervals.Any(t => t <= TimeSpan.Zero))
        {
            errors.Add("Delivery:Retry:Intervals: every interval must be positive");
        }

        if (delivery.Retry.MaxAge <= TimeSpan.Zero)
        {
            errors.Add("Delivery:Retry:MaxAge: must be positive");
        }

        if (delivery.Retry.Jitter is < 0 or >= 1)
        {
            errors.Add("Delivery:Retry:Jitter: a fraction from 0 to below 1");
        }

        foreach (var (key, value) in new[] { ("Concurrency", delivery.Concurrency), ("MaxConnections", delivery.MaxConnections), ("MaxInHand", delivery.MaxInHand), ("MaxWaitingPerQueue", delivery.MaxWaitingPerQueue) })
        {
            if (value < 1)
            {
                errors.Add($"Delivery:{key}: must be at least 1");
            }
        }

        errors.AddRange(Delivery.Shaping.ShapingPolicy.Validate(delivery.Shaping));
        ValidateShapingSources(delivery, errors);

        errors.AddRange(Delivery.Egress.EgressSelector.Validate(delivery.Egress));
        errors.AddRange(Delivery.Pools.RelayPools.Validate(delivery.Pools));
        for (var i = 0; i < delivery.Routes.Count; i++)
        {
            var route = delivery.Routes[i];
            if (route.Pool is { } poolName)
            {
                if (route.Relay is not null)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Routes:{i}:Pool: a route goes to a Relay or a Pool, not both"));
                }
                else if (!delivery.Pools.Any(p => string.Equals(p.Name, poolName, StringComparison.OrdinalIgnoreCase)))
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Routes:{i}:Pool: no pool named '{poolName}' in Delivery:Pools"));
                }
            }
        }

        for (var i = 0; i < delivery.Routes.Count; i++)
        {
            if (delivery.Routes[i].EgressPool is { } pool && !delivery.Egress.Pools.Any(p => string.Equals(p.Name, pool, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Routes:{i}:EgressPool: no pool named '{pool}'"));
            }
        }

        if (delivery.BounceRulesFile is { } rulesFile)
        {
            try
            {
                Delivery.Classification.BounceClassifier.Load(rulesFile);
            }
            catch (FormatException ex)
            {
                errors.Add($"Delivery:BounceRulesFile: {ex.Message}");
            }
        }

        if (delivery.MxPort is < 1 or > 65535)
        {
            errors.Add("Delivery:MxPort: a TCP port");
        }
    }

    /// <summary>A shaping entry for an egress source that does not exist is a typo that would silently do nothing.</summary>
    private static void ValidateShapingSources(Delivery.Dispatch.DeliveryOptions delivery, List<string> errors)
    {
        var sources = delivery.Egress.Sources.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var shaping = delivery.Shaping;
        var layers = new List<(string Key, Delivery.Shaping.ShapingRule Rule)> { ("Delivery:Shaping:Default", shaping.Default) };
        layers.AddRange(shaping.Providers.Select(p => ($"Delivery:Shaping:Providers:{p.Key}", p.Value)));
        layers.AddRange(shaping.Domains.Select(d => ($"Delivery:Shaping:Domains:{d.Key}", d.Value)));
        foreach (var (key, rule) in layers)
        {
            foreach (var source in rule.Sources.Keys)
            {
                if (!sources.Contains(source))
                {
                    errors.Add($"{key}:Sources:{source}: no egress source named '{source}' in Delivery:Egress:Sources");
                }
            }
        }
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
}
