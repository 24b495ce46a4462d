using Sluice.Core.Telemetry;

namespace Sluice.Core.Tests;

public sealed class SenderDomainsTests
{
    [Theory]
    [InlineData("news@Brand.Example", "brand.example")]
    [InlineData("a@b@c.example", "c.example")]
    [InlineData("", "")]
    [InlineData("postmaster", "")]
    public void Of_Address_LowerCaseDomainOrEmpty(string address, string expected)
        => Assert.Equal(expected, SenderDomains.Of(address));

    [Fact]
    public void Of_SameDomainAnyCase_OneSharedString()
        => Assert.Same(SenderDomains.Of("x@Shared.Example"), SenderDomains.Of("y@shared.EXAMPLE"));
}
