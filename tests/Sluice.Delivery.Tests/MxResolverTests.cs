using System.Net;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Dns;
using Sluice.Testing;

namespace Sluice.Delivery.Tests;

/// <summary>MX resolution against a real dnsmasq serving the zone "test".</summary>
public sealed class MxResolverTests : IDisposable
{
    private readonly DnsmasqServer _dns = DnsmasqServer.Start(
        "test",
        ttlSeconds: 120,
        "--mx-host=example.test,mx1.example.test,10",
        "--mx-host=example.test,mx2.example.test,20",
        "--host-record=mx1.example.test,127.0.0.2",
        "--host-record=mx2.example.test,127.0.0.3,::1",
        "--mx-host=equal.test,a.equal.test,10",
        "--mx-host=equal.test,b.equal.test,10",
        "--host-record=a.equal.test,127.0.0.4",
        "--host-record=b.equal.test,127.0.0.5",
        "--mx-host=nullmx.test,.,0",
        "--host-record=implicit.test,127.0.0.6",
        "--mx-host=dangling.test,nowhere.dangling.test,10",
        "--mx-host=other.test,mx1.example.test,10",
        "--mx-host=other.test,mx2.example.test,20");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dns.Dispose();

    [Fact]
    public async Task Resolve_MxRecords_OrderedByPreferenceWithAddresses()
    {
        var result = await Resolver().ResolveAsync("example.test", CancellationToken.None);

        Assert.Equal(MxResolutionKind.Hosts, result.Kind);
        Assert.Equal(["mx1.example.test", "mx2.example.test"], result.Hosts.Select(h => h.Name));
        Assert.Equal([10, 20], result.Hosts.Select(h => h.Preference));
        Assert.Equal([IPAddress.Parse("127.0.0.2")], result.Hosts[0].Addresses);
        Assert.Equal([IPAddress.Parse("127.0.0.3"), IPAddress.IPv6Loopback], result.Hosts[1].Addresses);
    }

    [Fact]
    public async Task Resolve_EqualPreferences_AreShuffledWithInjectedRandom()
    {
        var keep = await Resolver(random: _ => 1).ResolveAsync("equal.test", CancellationToken.None);
        var swap = await Resolver(random: _ => 0).ResolveAsync("equal.test", CancellationToken.None);

        Assert.Equal(2, keep.Hosts.Count);
        Assert.Equal(keep.Hosts.Select(h => h.Name).Reverse(), swap.Hosts.Select(h => h.Name));
    }

    [Fact]
    public async Task Resolve_NullMx_IsNullMx()
    {
        var result = await Resolver().ResolveAsync("nullmx.test", CancellationToken.None);

        Assert.Equal(MxResolutionKind.NullMx, result.Kind);
        Assert.Empty(result.Hosts);
    }

    [Fact]
    public async Task Resolve_NoMxButAddress_UsesDomainAsImplicitMx()
    {
        var result = await Resolver().ResolveAsync("implicit.test", CancellationToken.None);

        Assert.Equal(MxResolutionKind.Hosts, result.Kind);
        var host = Assert.Single(result.Hosts);
        Assert.Equal("implicit.test", host.Name);
        Assert.Equal(0, host.Preference);
        Assert.Equal([IPAddress.Parse("127.0.0.6")], host.Addresses);
    }

    [Theory]
    [InlineData("nosuch.test")]
    [InlineData("dangling.test")]
    public async Task Resolve_NoDomainOrNoAddresses_IsNoSuchDomain(string domain)
    {
        Assert.Equal(MxResolutionKind.NoSuchDomain, (await Resolver().ResolveAsync(domain, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Resolve_DeadResolver_IsTemporaryFailure()
    {
        var options = new DnsOptions { Servers = [$"127.0.0.1:{FreePort.Next()}"], Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 };
        var resolver = new MxResolver(MxResolver.CreateClient(options), options, _time);

        Assert.Equal(MxResolutionKind.TemporaryFailure, (await resolver.ResolveAsync("example.test", CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Resolve_Twice_IsServedFromCacheUntilTtlEnds()
    {
        using var meters = new TestMeterFactory();
        var metrics = new SluiceMetrics(meters);
        using var exporter = new PrometheusExporter(metrics.Meter);
        var resolver = Resolver(metrics);

        await resolver.ResolveAsync("Example.TEST.", CancellationToken.None);
        await resolver.ResolveAsync("example.test", CancellationToken.None);
        var afterCache = _dns.QueryCount("example.test");
        _time.Advance(TimeSpan.FromSeconds(121));
        await resolver.ResolveAsync("example.test", CancellationToken.None);

        Assert.Equal(1, afterCache);
        Assert.Equal(2, _dns.QueryCount("example.test"));
        var text = exporter.Export();
        Assert.Contains("sluice_dns_lookups_total{result=\"hit\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_dns_lookups_total{result=\"miss\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_NegativeAnswer_IsCachedToo()
    {
        var resolver = Resolver();

        await resolver.ResolveAsync("nosuch.test", CancellationToken.None);
        await resolver.ResolveAsync("nosuch.test", CancellationToken.None);

        Assert.Equal(1, _dns.QueryCount("nosuch.test"));
    }

    [Fact]
    public async Task Site_DomainsOnTheSameMxSet_ShareOneSite()
    {
        var resolver = Resolver();

        var a = await resolver.ResolveAsync("example.test", CancellationToken.None);
        var b = await resolver.ResolveAsync("other.test", CancellationToken.None);

        Assert.Equal("mx1.example.test,mx2.example.test", a.Site);
        Assert.Equal(a.Site, b.Site);
    }

    [Fact]
    public async Task Resolve_ConcurrentLookups_ShareOneQuery()
    {
        var resolver = Resolver();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => resolver.ResolveAsync("equal.test", CancellationToken.None).AsTask()));

        Assert.Equal(1, _dns.QueryCount("equal.test"));
    }

    [Fact]
    public async Task Resolve_AnotherNodeResolvedItFirst_IsAnsweredFromTheSharedCacheWithoutAskingTheDns()
    {
        using var meters = new TestMeterFactory();
        var metrics = new SluiceMetrics(meters);
        using var exporter = new PrometheusExporter(metrics.Meter);
        var shared = new MemorySharedCache();
        var first = await Resolver(shared: shared).ResolveAsync("example.test", CancellationToken.None);
        var asked = _dns.QueryCount("example.test");

        var second = await Resolver(metrics, shared: shared).ResolveAsync("example.test", CancellationToken.None);

        Assert.Equal(1, asked);
        Assert.Equal(1, _dns.QueryCount("example.test"));
        Assert.Equal(first.Site, second.Site);
        Assert.Equal(first.ExpiresAt, second.ExpiresAt);
        Assert.Equal(first.Hosts.Select(h => (h.Name, h.Preference, string.Join(',', h.Addresses))), second.Hosts.Select(h => (h.Name, h.Preference, string.Join(',', h.Addresses))));
        Assert.Contains("sluice_dns_lookups_total{result=\"shared\"} 1\n", exporter.Export(), StringComparison.Ordinal);

        // Past the answer's TTL the shared copy is not used: the DNS is asked again.
        _time.Advance(TimeSpan.FromSeconds(121));
        await Resolver(shared: shared).ResolveAsync("example.test", CancellationToken.None);
        Assert.Equal(2, _dns.QueryCount("example.test"));
    }

    [Fact]
    public async Task Resolve_DnsFailing_FailureIsNotShared()
    {
        var shared = new MemorySharedCache();
        var options = new DnsOptions { Servers = [$"127.0.0.1:{FreePort.Next()}"], Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 };
        var failing = new MxResolver(MxResolver.CreateClient(options), options, _time, shared: shared);

        var result = await failing.ResolveAsync("example.test", CancellationToken.None);

        Assert.Equal(MxResolutionKind.TemporaryFailure, result.Kind);
        Assert.Equal(0, shared.Puts);
    }

    private MxResolver Resolver(SluiceMetrics? metrics = null, Func<int, int>? random = null, MemorySharedCache? shared = null)
    {
        var options = new DnsOptions { Servers = [_dns.Endpoint.ToString()], MinTtl = TimeSpan.FromSeconds(1) };
        return new MxResolver(MxResolver.CreateClient(options), options, _time, metrics, random, shared);
    }
}
