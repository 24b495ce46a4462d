using System.Net;
using Sluice.Delivery.Dispatch;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Routing;
using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Tests;

public sealed class ShapingPolicyTests
{
    private static readonly MxHost[] Google = [Host("alt1.gmail-smtp-in.l.google.com"), Host("gmail-smtp-in.l.google.com.")];
    private static readonly MxHost[] Mixed = [Host("mx.google.com"), Host("mx.example.net")];

    [Fact]
    public void Resolve_NoRules_IsTheBuiltInDefaultsAndNoDomainOfItsOwn()
    {
        var policy = new ShapingPolicy(new ShapingOptions());

        var own = policy.OwnDomain("gmail.com");
        var shaping = policy.Resolve("site-a", Google, own, null);

        Assert.Null(own);
        Assert.Equal(SiteShaping.Defaults, shaping);
    }

    [Fact]
    public void Resolve_Layers_DefaultThenProviderThenDomainThenSourceEach()
    {
        var options = new ShapingOptions
        {
            Default = new ShapingRule { MaxConnections = 20, IdleTimeout = TimeSpan.FromSeconds(5), Sources = { ["ip1"] = new ShapingRule { MaxMessageRate = 50 } } },
            Providers = { ["google"] = new ShapingRule { MxSuffixes = [".google.com"], MaxConnections = 5, MaxMessageRate = 10, Sources = { ["ip1"] = new ShapingRule { MaxConnections = 3 } } } },
            Domains = { ["gmail.com"] = new ShapingRule { CommandTimeout = TimeSpan.FromSeconds(7) } },
        };
        var policy = new ShapingPolicy(options);

        var shaping = policy.Resolve("google-site", Google, policy.OwnDomain("gmail.com"), "ip1");

        Assert.Equal(3, shaping.MaxConnections);               // provider's source entry beats provider
        Assert.Equal(10, shaping.MaxMessageRate);              // provider beats default's source entry
        Assert.Equal(TimeSpan.FromSeconds(5), shaping.IdleTimeout);      // from Default
        Assert.Equal(TimeSpan.FromSeconds(7), shaping.CommandTimeout);   // from the domain
        Assert.Equal(SiteShaping.Defaults.DataTimeout, shaping.DataTimeout); // built in
    }

    [Fact]
    public void Resolve_OtherDomainAtTheSameProvider_SharesTheSiteQueue()
    {
        var options = new ShapingOptions
        {
            Providers = { ["google"] = new ShapingRule { MxSuffixes = ["google.com"], MaxConnections = 5 } },
            Domains = { ["gmail.com"] = new ShapingRule { MaxConnections = 2 } },
        };
        var policy = new ShapingPolicy(options);

        var own = policy.OwnDomain("hosted-at-google.example");
        var shaping = policy.Resolve("google-site", Google, own, null);

        Assert.Null(own);
        Assert.Equal(5, shaping.MaxConnections);
    }

    [Theory]
    [InlineData("mx.google.com", true)]
    [InlineData("google.com", true)]
    [InlineData("notgoogle.com", false)]
    [InlineData("google.com.evil.example", false)]
    public void ProviderName_SuffixMatch_IsByWholeLabels(string mx, bool matches)
    {
        var policy = new ShapingPolicy(new ShapingOptions { Providers = { ["google"] = new ShapingRule { MxSuffixes = ["google.com"] } } });

        Assert.Equal(matches ? "google" : null, policy.ProviderName([Host(mx)]));
    }

    [Fact]
    public void ProviderName_OneHostElsewhere_DoesNotMatch()
    {
        var policy = new ShapingPolicy(new ShapingOptions { Providers = { ["google"] = new ShapingRule { MxSuffixes = [".google.com"] } } });

        Assert.Null(policy.ProviderName(Mixed));
    }

    [Fact]
    public void Resolve_SameKeyTwice_ReturnsTheSameInstance()
    {
        var policy = new ShapingPolicy(new ShapingOptions { Default = new ShapingRule { MaxConnections = 4 } });

        var first = policy.Resolve("s", Google, policy.OwnDomain("a.example"), null);
        var second = policy.Resolve("s", Google, policy.OwnDomain("b.example"), null);

        Assert.Same(first, second);
    }

    [Fact]
    public void Validate_BadValues_NameEachKeyAndReason()
    {
        var options = new ShapingOptions
        {
            Default = new ShapingRule { MaxConnections = 0, IdleTimeout = TimeSpan.Zero, MaxMessageRate = -1 },
            Providers = { ["nosuffix"] = new ShapingRule() },
            Domains = { ["a.example"] = new ShapingRule { MxSuffixes = [".x"], Sources = { ["ip1"] = new ShapingRule { MessageBurst = 0 } } } },
        };

        var errors = new ShapingOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

        Assert.Contains("Delivery:Shaping:Default:MaxConnections: must be at least 1", errors);
        Assert.Contains(errors, e => e.StartsWith("Delivery:Shaping:Default:IdleTimeout:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Delivery:Shaping:Default:MaxMessageRate:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Delivery:Shaping:Providers:nosuffix:MxSuffixes:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Delivery:Shaping:Domains:a.example:MxSuffixes:", StringComparison.Ordinal));
        Assert.Contains("Delivery:Shaping:Domains:a.example:Sources:ip1:MessageBurst: must be at least 1", errors);
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void Plan_DomainTimeoutsAndStricterTls_GoIntoClientSettingsAndTheQueueKey()
    {
        var options = new DeliveryOptions
        {
            Client = new SmtpClientOptions { HeloName = "out.sluice.test" },
            Shaping = new ShapingOptions { Domains = { ["strict.example"] = new ShapingRule { ConnectTimeout = TimeSpan.FromSeconds(3), DataDoneTimeout = TimeSpan.FromSeconds(40) } } },
        };
        var policy = new DeliveryPolicy(options, 1, DateTimeOffset.UnixEpoch, () => 0.5);
        var route = new Route(null, 0, TlsPolicy.Required);

        var (key, plan) = policy.Plan("strict.example", route, "site", Google, 25, new Egress.EgressSource("ip1", IPAddress.Parse("127.0.0.2"), "ip1.sluice.test"));
        var (plainKey, plainPlan) = policy.Plan("other.example", new Route(null, 0, null), "site", Google, 25, null);
        var again = policy.Plan("other.example", new Route(null, 0, null), "site", Google, 25, null).Plan;
        var client = plan.Client;
        var plain = plainPlan.Client;

        Assert.Equal(new Queues.QueueKey("site", "ip1", "strict.example", TlsPolicy.Required), key);
        Assert.Equal("site|@strict.example|ip1|tls=Required", key.ToString());
        Assert.Same(plainPlan, again);
        Assert.Equal(TlsPolicy.Required, client.Tls);
        Assert.Equal(TimeSpan.FromSeconds(3), client.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(40), client.FinalDotTimeout);
        Assert.Equal("ip1.sluice.test", client.HeloName);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), client.SourceAddress);
        Assert.Equal(new Queues.QueueKey("site"), plainKey);
        Assert.Equal("out.sluice.test", plain.HeloName);
        Assert.Equal(SiteShaping.Defaults.ConnectTimeout, plain.ConnectTimeout);
    }

    private static MxHost Host(string name) => new(name, 10, [IPAddress.Loopback]);
}
