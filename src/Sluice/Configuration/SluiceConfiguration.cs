using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Sluice.Core;
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

        if (!configuration.GetSection("Http:MetricsNetworks").Exists())
        {
            options.Http.MetricsNetworks = [.. LoopbackNetworks];
        }

        options.Spool.Directory = options.Node.DataDirectory;
        if (configuration["Delivery:Client:HeloName"] is null && options.Smtp.Hostname is { } hostname)
        {
            options.Delivery.Client.HeloName = hostname;
        }
    }

    /// <summary>
    /// Every component's validator over its own section; all errors together, each "key: reason".
    /// The same validators guard each component's AddSluiceX registration.
    /// </summary>
    public static List<string> Validate(SluiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        OptionsValidation.Collect(new NodeOptionsValidator().Validate(null, options.Node), errors);
        OptionsValidation.Collect(new HttpOptionsValidator().Validate(null, options.Http), errors);
        errors.AddRange(Logging.LoggingOptionsValidator.Validate(options.Logging));
        errors.AddRange(Webhooks.WebhookOptionsValidator.Validate(options.Webhooks));
        errors.AddRange(Telemetry.MetricsOptionsValidator.Validate(options.Metrics));
        errors.AddRange(Unsubscribe.UnsubscribeOptionsValidator.Validate(options.Unsubscribe));
        errors.AddRange(Delivery.Dkim.DkimOptionsValidator.Validate(options.Dkim));
        errors.AddRange(Delivery.Feedback.FeedbackOptionsValidator.Validate(options.Feedback));
        errors.AddRange(Delivery.Reputation.ReputationOptionsValidator.Validate(options.Reputation));
        errors.AddRange(Postgres.PostgresOptionsValidator.Validate(options.Cluster.Postgres));
        errors.AddRange(RabbitMq.RabbitMqOptionsValidator.Validate(options.Cluster.RabbitMq));
        errors.AddRange(Redis.RedisOptionsValidator.Validate(options.Cluster.Redis));
        OptionsValidation.Collect(new SmtpServerOptionsValidator().Validate(null, options.Smtp), errors);
        OptionsValidation.Collect(new Storage.SpoolOptionsValidator().Validate(null, options.Spool), errors);
        OptionsValidation.Collect(new Delivery.Dispatch.DeliveryOptionsValidator().Validate(null, options.Delivery), errors);
        return errors;
    }

}
