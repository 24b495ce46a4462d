using Sluice.Delivery.Alignment;

namespace Sluice.Delivery.Tests;

public sealed class PublicSuffixListTests
{
    private static readonly PublicSuffixList Rules = new(["// comment", "com", "uk", "co.uk", "*.ck", "!www.ck", "jp", "kawasaki.jp", "*.kawasaki.jp", "!city.kawasaki.jp"]);

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("news.mail.example.com", "example.com")]
    [InlineData("shop.example.co.uk", "example.co.uk")]
    [InlineData("example.co.uk", "example.co.uk")]
    [InlineData("a.b.example.ck", "b.example.ck")]
    [InlineData("www.ck", "www.ck")]
    [InlineData("x.www.ck", "www.ck")]
    [InlineData("city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("a.b.kawasaki.jp", "a.b.kawasaki.jp")]
    [InlineData("Mail.Example.COM.", "example.com")]
    [InlineData("host.unlisted", "host.unlisted")]
    public void OrganizationalDomain_Rfc7489_PublicSuffixPlusOneLabel(string domain, string organization)
        => Assert.Equal(organization, Rules.OrganizationalDomain(domain));

    [Fact]
    public void Load_DebiansList_KnowsSecondLevelSuffixes()
    {
        var list = PublicSuffixList.Load();
        Assert.True(list.IsLoaded, "install Debian's publicsuffix package (./build.sh test does)");
        Assert.Equal("brand.co.uk", list.OrganizationalDomain("news.brand.co.uk"));
        Assert.Equal("example.com.au", list.OrganizationalDomain("a.example.com.au"));
    }

    [Fact]
    public void Load_NoFile_FallsBackToTheLastTwoLabels()
    {
        var list = PublicSuffixList.Load("/nonexistent/public_suffix_list.dat");
        Assert.False(list.IsLoaded);
        Assert.Equal("example.com", list.OrganizationalDomain("a.b.example.com"));
    }
}
