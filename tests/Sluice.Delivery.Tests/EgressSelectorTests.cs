using System.Net;
using Sluice.Delivery.Egress;

namespace Sluice.Delivery.Tests;

public sealed class EgressSelectorTests
{
    [Fact]
    public void Next_NoSources_IsNull()
    {
        Assert.Null(new EgressSelector(new EgressOptions()).Next(null));
    }

    [Fact]
    public void Next_SourcesWithoutPools_RotatesOverAll()
    {
        var selector = new EgressSelector(new EgressOptions
        {
            Sources = [new EgressSourceOptions { Name = "a", Address = "127.0.0.9" }, new EgressSourceOptions { Name = "b", Address = "127.0.0.10", EhloName = "b.mta.test" }],
        });

        var picks = Enumerable.Range(0, 4).Select(_ => selector.Next(null)!).ToList();

        Assert.Equal(2, picks.Count(p => p.Name == "a"));
        Assert.Equal(IPAddress.Parse("127.0.0.10"), picks.First(p => p.Name == "b").Address);
        Assert.Equal("b.mta.test", picks.First(p => p.Name == "b").EhloName);
    }

    [Fact]
    public void Next_NamedPool_UsesOnlyItsMembers()
    {
        var selector = new EgressSelector(new EgressOptions
        {
            Sources = [new EgressSourceOptions { Name = "a", Address = "127.0.0.9" }, new EgressSourceOptions { Name = "b", Address = "127.0.0.10" }],
            Pools = [new EgressPoolOptions { Name = "marketing", Members = [new EgressPoolMemberOptions { Source = "b" }] }],
        });

        Assert.All(Enumerable.Range(0, 5).Select(_ => selector.Next("marketing")!), p => Assert.Equal("b", p.Name));
    }

    [Fact]
    public void Validate_BadReferences_NameTheKeys()
    {
        var errors = new EgressOptionsValidator().Validate(null, new EgressOptions
        {
            Sources = [new EgressSourceOptions { Name = "a", Address = "not-an-ip" }],
            Pools = [new EgressPoolOptions { Name = "p", Members = [new EgressPoolMemberOptions { Source = "zzz" }] }],
            DefaultPool = "nope",
        }).Failures?.ToList() ?? [];

        Assert.Contains("Delivery:Egress:Sources:0:Address: 'not-an-ip' is not an IP address", errors);
        Assert.Contains("Delivery:Egress:Pools:0:Members:0:Source: no source named 'zzz'", errors);
        Assert.Contains("Delivery:Egress:DefaultPool: no pool named 'nope'", errors);
    }
}
