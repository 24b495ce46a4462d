using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// MTA-STS (RFC 8461) with real parts: policies served over HTTPS by a test server whose certificate
/// a test CA issued, `_mta-sts` TXT records and MX hosts in dnsmasq, sinks as the MX hosts (one with a
/// certificate from the test CA, one self-signed), and a node that trusts only the test CA.
/// </summary>
public sealed class MtaStsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private TestCertificates _certificates = null!;
    private DnsmasqServer _dns = null!;
    private ChildProcess _policyServer = null!;
    private SluiceProcess _plainSink = null!;
    private SluiceProcess _verifiedSink = null!;
    private SluiceProcess _node = null!;
    private HttpClient _http = null!;

    private string PlainStore => Path.Combine(_dir.Path, "plain");

    private string VerifiedStore => Path.Combine(_dir.Path, "verified");

    public async Task InitializeAsync()
    {
        _certificates = new TestCertificates(Path.Combine(_dir.Path, "certs"));
        var policyCert = _certificates.Issue("policy", "mta-sts.enforce.test", "mta-sts.testing.test", "mta-sts.good.test", "mta-sts.selfsigned.test");
        var mxCert = _certificates.Issue("mx", "mx.good.test");

        var policies = Path.Combine(_dir.Path, "policies.json");
        await File.WriteAllTextAsync(policies, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["mta-sts.enforce.test"] = "version: STSv1\r\nmode: enforce\r\nmx: mx.good.test\r\nmax_age: 86400\r\n",
            ["mta-sts.testing.test"] = "version: STSv1\r\nmode: testing\r\nmx: mx.good.test\r\nmax_age: 86400\r\n",
            ["mta-sts.good.test"] = "version: STSv1\r\nmode: enforce\r\nmx: *.good.test\r\nmax_age: 86400\r\n",
            ["mta-sts.selfsigned.test"] = "version: STSv1\r\nmode: enforce\r\nmx: mx.other.test\r\nmax_age: 86400\r\n",
        }));
        var httpsPort = FreePort.Next(IPAddress.Parse("127.0.0.42"));
        _policyServer = ChildProcess.Start("/usr/bin/python3", ["-u", Path.Combine(AppContext.BaseDirectory, "mta_sts_server.py"), "127.0.0.42", httpsPort.ToString(CultureInfo.InvariantCulture), policyCert.Certificate, policyCert.Key, policies]);
        await Poll.UntilAsync(() => Task.FromResult(_policyServer.Output.Contains("listening", StringComparison.Ordinal) || _policyServer.HasExited), TimeSpan.FromSeconds(20), "the policy server to listen");
        Assert.False(_policyServer.HasExited, _policyServer.Output);

        var records = new List<string>
        {
            "--host-record=mx.other.test,127.0.0.40",
            "--host-record=mx.good.test,127.0.0.41",
            "--mx-host=good.test,mx.good.test,10",
            "--mx-host=reports.test,mx.other.test,10",
            "--txt-record=_smtp._tls.good.test,v=TLSRPTv1; rua=mailto:tlsrpt@reports.test",
            "--txt-record=_smtp._tls.selfsigned.test,v=TLSRPTv1; rua=mailto:tlsrpt@reports.test",
        };
        foreach (var (domain, id) in new[] { ("enforce", "e1"), ("testing", "t1"), ("good", "g1"), ("selfsigned", "s1") })
        {
            records.Add($"--host-record=mta-sts.{domain}.test,127.0.0.42");
            records.Add($"--txt-record=_mta-sts.{domain}.test,v=STSv1; id={id}");
            if (domain != "good")
            {
                records.Add($"--mx-host={domain}.test,mx.other.test,10");
            }
        }

        _dns = DnsmasqServer.Start("test", 60, [.. records]);
        var mxPort = FreePort.Common("127.0.0.40", "127.0.0.41");
        _plainSink = await SluiceProcess.StartSinkAsync(PlainStore, [], "127.0.0.40", mxPort);
        _verifiedSink = await SluiceProcess.StartSinkAsync(VerifiedStore, ["--tls-cert", mxCert.Certificate, "--tls-key", mxCert.Key, "--hostname", "mx.good.test"], "127.0.0.41", mxPort);

        var config = Path.Combine(_dir.Path, "node.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Smtp": { "Hostname": "node.sluice.test" },
              "Delivery": {
                "MxPort": {{mxPort}},
                "PollInterval": "00:00:00.200",
                "Retry": { "Intervals": [ "00:10:00" ] },
                "MtaSts": { "HttpsPort": {{httpsPort}} }
              }
            }
            """);

        // The node trusts only the test CA (OpenSSL's SSL_CERT_FILE, which .NET honours on Linux).
        _node = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "data"), ["--config", config, "--dns", _dns.Endpoint.ToString()], new Dictionary<string, string> { ["SSL_CERT_FILE"] = _certificates.CaFile }, delivery: true);
        _http = _node.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        await (_node?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_plainSink?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_verifiedSink?.DisposeAsync() ?? ValueTask.CompletedTask);
        _policyServer?.Dispose();
        _dns?.Dispose();
        _certificates?.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task EnforceMode_MxNotInThePolicy_DeliveryRefusedAndDeferred()
    {
        var id = await NodeApi.SendAsync(_http, "news@sender.example", "someone@enforce.test", "sts-enforce");

        var deferred = await DeferredReplyAsync(id);
        Assert.Contains("4.7.5", deferred, StringComparison.Ordinal);
        Assert.Contains("MTA-STS", deferred, StringComparison.Ordinal);
        Assert.Contains("e1", deferred, StringComparison.Ordinal);
        Assert.Empty(Copies(PlainStore, "sts-enforce"));
        Assert.Contains("enforce.test", await File.ReadAllTextAsync(Path.Combine(_node.DataDirectory, "mta-sts.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestingMode_MxNotInThePolicy_StillDelivered()
    {
        await NodeApi.SendAsync(_http, "news@sender.example", "someone@testing.test", "sts-testing");
        await Poll.UntilAsync(() => Task.FromResult(Copies(PlainStore, "sts-testing").Count == 1), Patience, "delivery to testing.test despite its policy");
    }

    [Fact]
    public async Task EnforceMode_MxInThePolicyWithAValidCertificate_DeliveredOverVerifiedTls()
    {
        await NodeApi.SendAsync(_http, "news@sender.example", "someone@good.test", "sts-good");
        await Poll.UntilAsync(() => Task.FromResult(Copies(VerifiedStore, "sts-good").Count == 1), Patience, "delivery to good.test over verified TLS");
        Assert.Contains("with ESMTPS", Copies(VerifiedStore, "sts-good")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnforceMode_CertificateNotTrusted_DeliveryRefusedAndDeferred()
    {
        var id = await NodeApi.SendAsync(_http, "news@sender.example", "someone@selfsigned.test", "sts-selfsigned");

        var deferred = await DeferredReplyAsync(id);
        Assert.Contains("4.7.5", deferred, StringComparison.Ordinal);
        Assert.Contains("certificate", deferred, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Copies(PlainStore, "sts-selfsigned"));
    }

    [Fact]
    public async Task TlsReports_AfterVerifiedAndFailedSessions_MailedToTheRuaAsRfc8460Json()
    {
        await NodeApi.SendAsync(_http, "news@sender.example", "someone@good.test", "rpt-good");
        await Poll.UntilAsync(() => Task.FromResult(Copies(VerifiedStore, "rpt-good").Count == 1), Patience, "delivery to good.test");
        await DeferredReplyAsync(await NodeApi.SendAsync(_http, "news@sender.example", "someone@selfsigned.test", "rpt-selfsigned"));

        using (var sent = await _http.PostAsync(new Uri("api/v1/delivery/tls-reports", UriKind.Relative), null))
        {
            Assert.True(sent.StatusCode == HttpStatusCode.OK, await sent.Content.ReadAsStringAsync() + _node.Output);
        }

        var good = await ReportAsync("good.test");
        var policy = good.GetProperty("policies")[0];
        Assert.Equal("sts", policy.GetProperty("policy").GetProperty("policy-type").GetString());
        Assert.Contains("mode: enforce", policy.GetProperty("policy").GetProperty("policy-string").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal((1, 0), (policy.GetProperty("summary").GetProperty("total-successful-session-count").GetInt32(), policy.GetProperty("summary").GetProperty("total-failure-session-count").GetInt32()));

        var failed = (await ReportAsync("selfsigned.test")).GetProperty("policies")[0];
        Assert.True(failed.GetProperty("summary").GetProperty("total-failure-session-count").GetInt32() >= 1);
        var detail = failed.GetProperty("failure-details")[0];
        Assert.Equal("certificate-not-trusted", detail.GetProperty("result-type").GetString());
        Assert.Equal("mx.other.test", detail.GetProperty("receiving-mx-hostname").GetString());
        Assert.Equal("127.0.0.40", detail.GetProperty("receiving-ip").GetString());
    }

    /// <summary>The TLS report mailed about <paramref name="domain"/> (RFC 8460 §5.3: multipart/report, application/tlsrpt+gzip), as JSON.</summary>
    private async Task<JsonElement> ReportAsync(string domain)
    {
        await Poll.UntilAsync(() => Task.FromResult(Copies(PlainStore, "TLS-Report-Domain: " + domain).Count == 1), Patience, $"the TLS report for {domain} at reports.test's MX");
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Copies(PlainStore, "TLS-Report-Domain: " + domain)[0]));
        var message = await MimeKit.MimeMessage.LoadAsync(stream);
        Assert.Contains($"Report Domain: {domain}", message.Subject, StringComparison.Ordinal);
        var part = message.BodyParts.OfType<MimeKit.MimePart>().Single(p => p.ContentType.IsMimeType("application", "tlsrpt+gzip"));
        using var decoded = new MemoryStream();
        await part.Content!.DecodeToAsync(decoded);
        decoded.Position = 0;
        using var gzip = new System.IO.Compression.GZipStream(decoded, System.IO.Compression.CompressionMode.Decompress);
        return (await JsonDocument.ParseAsync(gzip)).RootElement.Clone();
    }

    private async Task<string> DeferredReplyAsync(string id)
    {
        JsonElement last = default;
        await Poll.UntilAsync(
            async () => (last = await _http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative))).GetProperty("events").EnumerateArray().Any(e => e.GetProperty("type").GetString() == "deferred"),
            Patience,
            $"{id} deferred",
            () => last.ToString());
        return last.GetProperty("events").EnumerateArray().First(e => e.GetProperty("type").GetString() == "deferred").GetProperty("reply").GetString()!;
    }

    private static List<string> Copies(string store, string subject)
    {
        var folder = Path.Combine(store, "new");
        return Directory.Exists(folder) ? [.. Directory.GetFiles(folder).Select(File.ReadAllText).Where(t => t.Contains(subject, StringComparison.Ordinal))] : [];
    }
}
