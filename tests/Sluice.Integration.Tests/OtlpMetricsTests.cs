using System.Text.RegularExpressions;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>Metrics pushed over OTLP/HTTP (protobuf) by the OpenTelemetry SDK when Metrics:Otlp is set.</summary>
public sealed partial class OtlpMetricsTests
{
    [Fact]
    public async Task Serve_OtlpEndpoint_PushesSluiceAndRuntimeMetrics()
    {
        using var receiver = new OtlpReceiver();
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, $$"""{ "Smtp": { "Hostname": "otlp-node.test" }, "Metrics": { "Otlp": { "Endpoint": "{{receiver.Endpoint}}", "Protocol": "HttpProtobuf", "Interval": "00:00:01" } } }""");
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), ["--config", config]);
        for (var i = 0; i < 3; i++)
        {
            await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
            await dialog.CommandAsync("EHLO otlp.test");
            await dialog.BeginDataAsync("s@sender.example", "r@rcpt.example");
            Assert.Matches(Queued(), await dialog.CommandAsync("Subject: otlp\r\n\r\nx\r\n."));
        }

        await Poll.UntilAsync(() => Task.FromResult(receiver.Latest("sluice.messages.accepted") >= 3), TimeSpan.FromSeconds(30), "3 accepted messages over OTLP", () => string.Join(", ", receiver.Names()) + "\n" + node.Output);

        Assert.Equal("sluice", receiver.Resource("service.name"));
        Assert.Equal("otlp-node.test", receiver.Resource("service.instance.id"));
        Assert.Contains("sluice.smtp.connections", receiver.Names());
        Assert.Contains(receiver.Names(), n => n.StartsWith("dotnet.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_OtlpEndpointNotAUrl_ExitsTwoNamingTheKey()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = await SluiceProcess.RunAsync(
            ["serve", "--data", dir.Path, "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"],
            environment: new Dictionary<string, string> { ["SLUICE__Metrics__Otlp__Endpoint"] = "collector:4317" });

        Assert.Equal(2, code);
        Assert.Contains("Metrics:Otlp:Endpoint: 'collector:4317' is not an http:// or https:// URL", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex("^250 2.0.0 OK: queued as ")]
    private static partial Regex Queued();
}
