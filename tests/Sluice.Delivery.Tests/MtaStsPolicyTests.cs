using Sluice.Delivery.Dns;
using Sluice.Delivery.MtaSts;

namespace Sluice.Delivery.Tests;

public sealed class MtaStsPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_Rfc8461Example_ReadsEveryField()
    {
        var (policy, error) = MtaStsPolicy.Parse("example.com", "20160831085700Z", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n", Now);

        Assert.Null(error);
        Assert.Equal(MtaStsMode.Enforce, policy!.Mode);
        Assert.Equal(["mail.example.com", "*.example.net", "backupmx.example.com"], policy.Mx);
        Assert.Equal(Now.AddDays(7), policy.ExpiresAt);
    }

    [Theory]
    [InlineData("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 60", "version")]
    [InlineData("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 60", "mode")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example", "max_age")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 60", "no mx")]
    public void Parse_InvalidPolicy_SaysWhy(string text, string why)
    {
        var (policy, error) = MtaStsPolicy.Parse("example.com", "1", text, Now);
        Assert.Null(policy);
        Assert.Contains(why, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MaxAgeOverAYear_IsCappedAtAYear()
        => Assert.Equal(MtaStsPolicy.LongestMaxAge, MtaStsPolicy.Parse("e.com", "1", "version: STSv1\nmode: testing\nmx: a.e.com\nmax_age: 99999999999", Now).Policy!.MaxAge);

    [Theory]
    [InlineData("mail.example.com", true)]
    [InlineData("MAIL.example.com.", true)]
    [InlineData("mx1.example.net", true)]
    [InlineData("a.b.example.net", false)]
    [InlineData("example.net", false)]
    [InlineData("mail.example.org", false)]
    public void Allows_WildcardMatchesOneLabelOnly(string host, bool allowed)
    {
        var policy = MtaStsPolicy.Parse("example.com", "1", "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 60", Now).Policy!;
        Assert.Equal(allowed, policy.Allows(host));
        Assert.Equal(allowed ? 1 : 0, policy.Filter([new MxHost(host, 10, [])]).Count);
    }

    [Fact]
    public void Resolver_PoliciesSavedBefore_CachedAgainAfterARestartUntilTheirMaxAge()
    {
        using var dir = new Sluice.Testing.TempDirectory();
        var file = Path.Combine(dir.Path, "mta-sts.json");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now);
        var policy = MtaStsPolicy.Parse("example.com", "id1", "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 3600", Now).Policy!;
        System.IO.File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(new List<MtaStsPolicy> { policy }));
        var dns = new MxResolver(MxResolver.CreateClient(new DnsOptions()), new DnsOptions(), time);

        using var resolver = new MtaStsResolver(dns, new MtaStsOptions(), time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, file);
        Assert.Equal(("id1", MtaStsMode.Enforce, "mx.example.com"), (resolver.Cached("example.com")?.Id, resolver.Cached("example.com")?.Mode, resolver.Cached("example.com")?.Mx[0]));

        time.Advance(TimeSpan.FromHours(1));
        Assert.Null(resolver.Cached("example.com"));
    }
}
