using Sluice.Testing;
using Sluice.Top;

namespace Sluice.Integration.Tests;

/// <summary><c>sluice top</c>: one frame of a live node's rates, queue by destination, pools and resources.</summary>
public sealed class TopCommandTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Top_Once_ShowsRatesQueueByDestinationPoolsAndResources()
    {
        for (var i = 0; i < 3; i++)
        {
            await using var dialog = await SmtpDialog.ConnectAsync(fixture.Node.SmtpEndpoint);
            await dialog.CommandAsync("EHLO top.test");
            await dialog.BeginDataAsync("s@sender.example", $"r{i}@top-destination.example");
            Assert.StartsWith("250", await dialog.CommandAsync("Subject: top\r\n\r\nx\r\n."), StringComparison.Ordinal);
        }

        var (code, output, stderr) = await SluiceProcess.RunAsync(["top", "--once", "--interval", "00:00:01", "--api", fixture.Node.HttpBase.ToString(), "--key", fixture.Node.ApiKey!]);

        Assert.True(code == 0, stderr);
        Assert.Contains("Rates", output, StringComparison.Ordinal);
        Assert.Contains("accepted", output, StringComparison.Ordinal);
        Assert.Matches(@"top-destination\.example\s*│\s*3\s", output);
        Assert.Contains("Relay pools", output, StringComparison.Ordinal);
        // The fixture's node runs without delivery: no pools to show, said as such.
        Assert.Contains("(delivery off)", output, StringComparison.Ordinal);
        Assert.Contains("Resources", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_NodeUnreachable_OneLineAndExitCode1()
    {
        var (code, _, stderr) = await SluiceProcess.RunAsync(["top", "--once", "--api", $"http://127.0.0.1:{FreePort.Next()}", "--key", "sk_x"]);

        Assert.Equal(1, code);
        Assert.Contains("cannot reach the node", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Rate_BetweenTwoSamples_CountsPerSecondAndIgnoresARestart()
    {
        var t0 = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var earlier = MetricsSample.Parse("# TYPE x counter\nsluice_delivery_outcomes_total{outcome=\"delivered\",site=\"a b\"} 10\nsluice_delivery_outcomes_total{outcome=\"bounced\"} 4\nsluice_messages_accepted_total 100\n", t0);
        var now = MetricsSample.Parse("sluice_delivery_outcomes_total{outcome=\"delivered\",site=\"a b\"} 30\nsluice_delivery_outcomes_total{outcome=\"bounced\"} 6\nsluice_messages_accepted_total 5\n", t0.AddSeconds(2));

        Assert.Equal(10, now.Rate(earlier, "sluice_delivery_outcomes_total", "outcome=\"delivered\""));
        Assert.Equal(11, now.Rate(earlier, "sluice_delivery_outcomes_total"));
        Assert.Equal(0, now.Rate(earlier, "sluice_messages_accepted_total"));
        Assert.Equal(36, now.Sum("sluice_delivery_outcomes_total"), 3);
        Assert.Equal(0, now.Sum("sluice_not_there"));
    }
}
