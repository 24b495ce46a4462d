using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// DMARC alignment judged at intake, as a warning: a message whose From domain neither DKIM nor SPF
/// would align with (organizations by Debian's Public Suffix List: brand.co.uk is not esp.co.uk) gets
/// an <c>unaligned</c> event naming the DMARC policy dnsmasq serves; an aligned one gets none; both
/// are accepted and counted.
/// </summary>
public sealed class AlignmentTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private DnsmasqServer _dns = null!;
    private SluiceProcess _node = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _dns = DnsmasqServer.Start("test", 60, "--txt-record=_dmarc.brand.co.uk,v=DMARC1; p=reject; rua=mailto:d@brand.co.uk", "--txt-record=_dmarc.shop.test,v=DMARC1; p=quarantine");
        _node = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "data"), ["--dns", _dns.Endpoint.ToString()]);
        _http = _node.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _node.DisposeAsync();
        _dns.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Intake_FromDomainNeitherSignedNorInTheReturnPathsOrganization_WarnsWithTheDmarcPolicy()
    {
        var id = await SendRawAsync("bounces@esp.co.uk", "news@brand.co.uk");

        JsonElement last = default;
        await Poll.UntilAsync(async () => Types(last = await MessageAsync(id)).Contains("unaligned"), Patience, "the unaligned event", () => last.ToString());
        var warning = last.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "unaligned");
        Assert.Equal("dmarc_reject", warning.GetProperty("classification").GetString());
        Assert.Contains("From domain brand.co.uk", warning.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Contains("esp.co.uk", warning.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Contains("sluice_intake_alignment_total{dmarc=\"reject\",result=\"unaligned\"} 1", await _http.GetStringAsync(new Uri("metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Intake_ReturnPathInTheFromDomainsOrganization_CountedAlignedWithoutWarning()
    {
        var id = await SendRawAsync("bounces@mail.shop.test", "news@shop.test");

        await Poll.UntilAsync(
            async () => (await _http.GetStringAsync(new Uri("metrics", UriKind.Relative))).Contains("sluice_intake_alignment_total{dmarc=\"quarantine\",result=\"aligned\"} 1", StringComparison.Ordinal),
            Patience,
            "the aligned message counted");
        Assert.DoesNotContain("unaligned", Types(await MessageAsync(id)));
    }

    private async Task<string> SendRawAsync(string envelopeSender, string from)
    {
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes($"From: <{from}>\r\nTo: <reader@dest.test>\r\nSubject: alignment\r\n\r\nhello\r\n"));
        content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        using var response = await _http.PostAsync(new Uri($"api/v1/messages?from={envelopeSender}&to=reader@dest.test", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> MessageAsync(string id) => await _http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative));

    private static List<string?> Types(JsonElement message) => [.. message.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString())];
}
