using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// DKIM end to end: keys made by <c>sluice dkim keygen</c>, their records served by dnsmasq, mail
/// signed at intake (RSA and Ed25519), carried through a real Postfix hop, and every signature
/// verified by dkimpy (Debian's python3-dkim); a key rotated in the configuration file without a
/// restart; a key that does not load stops the node with the key named.
/// </summary>
public sealed class DkimTests(DeliveryFixture world) : IClassFixture<DeliveryFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Dkim_RsaAndEd25519_BothSignaturesVerifiedByDkimpyAfterAPostfixHop()
    {
        var rsa = await KeygenAsync("rsa1", "rsa");
        var ed = await KeygenAsync("ed1", "ed25519");
        using var dns = Dns(rsa, ed);
        using var postfix = PostfixServer.Start("127.0.0.8", world.MxPort);
        await using var node = await StartAsync(dns, rsa, ed);
        using var http = node.CreateHttpClient();

        var held = await SendAndHoldAsync(http, postfix, "Grüße from the signed list");
        var results = Verify(dns, held);

        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.True(r.GetProperty("ok").GetBoolean(), JsonSerializer.Serialize(results)));
        Assert.Equal(["ed25519-sha256", "rsa-sha256"], results.Select(r => r.GetProperty("a").GetString()));
        Assert.Equal(["ed1", "rsa1"], results.Select(r => r.GetProperty("s").GetString()));
        Assert.All(results, r => Assert.Equal("signed.test", r.GetProperty("d").GetString()));

        // And OpenDKIM, the verifier most MTAs run, in a network namespace of its own.
        var (code, output) = OpenDkim(held, rsa, ed);
        Assert.True(code == 0, output);
        var (tamperedCode, _) = OpenDkim(held.Replace("Hello", "Hallo", StringComparison.Ordinal), rsa, ed);
        Assert.NotEqual(0, tamperedCode);
    }

    [Fact]
    public async Task Dkim_KeyRotatedInTheConfiguration_NextMessageSignedWithTheNewKeyWithoutRestart()
    {
        var old = await KeygenAsync("old", "rsa");
        var next = await KeygenAsync("next", "ed25519");
        using var dns = Dns(old, next);
        using var postfix = PostfixServer.Start("127.0.0.8", world.MxPort);
        await using var node = await StartAsync(dns, old);
        using var http = node.CreateHttpClient();
        var before = await SendAndHoldAsync(http, postfix, "before");
        Assert.Equal("old", Assert.Single(Verify(dns, before)).GetProperty("s").GetString());
        Assert.Equal(0, OpenDkim(before, old).Code);

        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "node.json"), Config(dns, next));
        using (var reload = await http.PostAsync(new Uri("api/v1/delivery/reload", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        }

        var after = await SendAndHoldAsync(http, postfix, "after");
        var second = Assert.Single(Verify(dns, after));
        Assert.Equal(("next", true), (second.GetProperty("s").GetString(), second.GetProperty("ok").GetBoolean()));

        // OpenDKIM on the Ed25519-only message (RFC 8463), with only the new key published to it.
        var (code, output) = OpenDkim(after, next);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Serve_DkimKeyFileNotAKey_ExitsTwoNamingTheKey()
    {
        var bad = Path.Combine(_dir.Path, "bad.key");
        await File.WriteAllTextAsync(bad, "this is not a key\n");
        var config = Path.Combine(_dir.Path, "bad.json");
        await File.WriteAllTextAsync(config, $$"""{ "Dkim": { "Keys": [ { "Domain": "signed.test", "Selector": "s1", "KeyFile": "{{bad}}" } ] } }""");

        var (code, _, stderr) = await SluiceProcess.RunAsync(["serve", "--config", config, "--data", Path.Combine(_dir.Path, "data"), "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"]);

        Assert.Equal(2, code);
        Assert.Contains($"Dkim:Keys:0:KeyFile: '{bad}' is not a PEM private key", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private sealed record Key(string Selector, string KeyFile, string RecordName, string RecordValue);

    private async Task<Key> KeygenAsync(string selector, string algorithm)
    {
        var file = Path.Combine(_dir.Path, selector + ".key");
        var (code, stdout, stderr) = await SluiceProcess.RunAsync(["dkim", "keygen", "signed.test", "--selector", selector, "--algorithm", algorithm, "--out", file, "--json"]);
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        return new Key(selector, file, json.GetProperty("recordName").GetString()!, json.GetProperty("recordValue").GetString()!);
    }

    /// <summary>dnsmasq with the MX of postfix.test and each key's TXT record (split in strings of at most 250 characters; the record has no comma).</summary>
    private static DnsmasqServer Dns(params Key[] keys)
        => DnsmasqServer.Start(
            "test",
            60,
            [
                "--mx-host=postfix.test,mx.postfix.test,10",
                "--host-record=mx.postfix.test,127.0.0.8",
                // On dnsmasq's command line quotes are literal: each comma-separated part is one string.
                .. keys.Select(k => $"--txt-record={k.RecordName},{string.Join(",", k.RecordValue.Chunk(250).Select(c => new string(c)))}"),
            ]);

    private string Config(DnsmasqServer dns, params Key[] keys) => $$"""
        {
          "Smtp": { "Hostname": "node.sluice.test" },
          "Delivery": { "MxPort": {{world.MxPort}}, "PollInterval": "00:00:00.200", "Retry": { "Intervals": [ "00:00:01" ], "Jitter": 0 } },
          "Dkim": { "Keys": [ {{string.Join(", ", keys.Select(k => $$"""{ "Domain": "signed.test", "Selector": "{{k.Selector}}", "KeyFile": "{{k.KeyFile}}" }"""))}} ] }
        }
        """;

    private async Task<SluiceProcess> StartAsync(DnsmasqServer dns, params Key[] keys)
    {
        var config = Path.Combine(_dir.Path, "node.json");
        await File.WriteAllTextAsync(config, Config(dns, keys));
        return await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "data"), ["--config", config, "--dns", dns.Endpoint.ToString()], delivery: true);
    }

    /// <summary>Sends a message from a subdomain of the signing domain (relaxed alignment) and returns it as the Postfix hop holds it.</summary>
    private static async Task<string> SendAndHoldAsync(HttpClient http, PostfixServer postfix, string subject)
    {
        var token = Guid.NewGuid().ToString("N");
        using var response = await http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new
        {
            from = "News <news@mail.signed.test>",
            to = new[] { "reader@postfix.test" },
            subject = $"{subject} {token}",
            text = "Hello,   world  \n\nA line with trailing spaces   \n\n\n",
            html = $"<p>Hello <b>{token}</b></p>",
            unsubscribe = false,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await Poll.ForAsync(
            () => Task.FromResult(postfix.HeldMessageContents().FirstOrDefault(m => m.Contains(token, StringComparison.Ordinal))),
            m => m is not null,
            Patience,
            "the message held by Postfix") ?? string.Empty;
    }

    /// <summary>opendkim-testmsg on the message, its resolver pointed (inside its own namespace) at a dnsmasq with the keys' records.</summary>
    private (int Code, string Output) OpenDkim(string message, params Key[] keys)
    {
        var work = Path.Combine(_dir.Path, "opendkim-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var file = Path.Combine(work, "message.eml");
        File.WriteAllText(file, message);
        var records = Path.Combine(work, "records");
        File.WriteAllLines(records, keys.Select(k => $"{k.RecordName} {k.RecordValue}"));
        var (code, output, error) = ChildProcess.RunToEnd("sh", Path.Combine(AppContext.BaseDirectory, "opendkim_verify.sh"), file, records, work);
        return (code, output + error);
    }

    private List<JsonElement> Verify(DnsmasqServer dns, string message)
    {
        var file = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N") + ".eml");
        File.WriteAllText(file, message);
        var (code, output, error) = ChildProcess.RunToEnd("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "dkim_verify.py"), dns.Endpoint.Port.ToString(CultureInfo.InvariantCulture), file);
        Assert.True(code == 0, error);
        return [.. JsonDocument.Parse(output).RootElement.EnumerateArray()];
    }
}
