using System.Text.RegularExpressions;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// What an operator's monitoring reads: a real Prometheus scraping a node under load gets the
/// rates back through its API; the alert rules pass `promtool test rules`; the Grafana dashboard
/// and the rules only query series a node exports.
/// </summary>
public sealed partial class ObservabilityTests(ObservedNode observed) : IClassFixture<ObservedNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Series the dashboard or rules use that this node does not export: Prometheus's own, and the complaint count, which appears with the first complaint on a Feedback listener (FeedbackTests).</summary>
    private static readonly HashSet<string> NotFromANode = ["up", "sluice_feedback_complaints_total"];

    [Fact]
    public async Task Prometheus_ScrapesANodeUnderLoad_RatesAndTotalsComeBackThroughItsApi()
    {
        var prometheus = observed.Prometheus;
        Assert.Equal(ObservedNode.Clients * ObservedNode.MessagesPerClient, observed.Accepted);

        await Poll.UntilAsync(async () => await prometheus.QueryAsync("up{job=\"sluice\"}") == 1, Patience, "the node scraped", () => prometheus.Output);
        // Every accepted message counted, as Prometheus stored it.
        await Poll.UntilAsync(async () => await prometheus.QueryAsync("sum(sluice_messages_accepted_total)") == observed.Accepted, Patience, "the accepted total in Prometheus", () => prometheus.Output);
        // Delivered to the sink, per recipient, with the sending domain as a label.
        await Poll.UntilAsync(async () => await prometheus.QueryAsync("sum(sluice_delivery_outcomes_total{outcome=\"delivered\",sender_domain=\"news.example\"})") == observed.Accepted, Patience, "the delivered total in Prometheus");

        // Rates over the load: accepted per second was above zero while it ran.
        var peak = await prometheus.QueryAsync("max_over_time(sum(rate(sluice_messages_accepted_total[5s]))[5m:1s])");
        Assert.True(peak > 1, $"peak accept rate {peak}/s");
        var delivered = await prometheus.QueryAsync("max_over_time(sum(rate(sluice_delivery_outcomes_total{outcome=\"delivered\"}[5s]))[5m:1s])");
        Assert.True(delivered > 1, $"peak delivery rate {delivered}/s");

        // Resources: the process's CPU and the data directory's disk.
        Assert.True(await prometheus.QueryAsync("sum(dotnet_process_cpu_time_total)") > 0);
        var free = await prometheus.QueryAsync("sluice_disk_free / sluice_disk_size");
        Assert.InRange(free ?? -1, 0.0, 1.0);
        Assert.True(await prometheus.QueryAsync("sluice_data_size") > 0);
    }

    [Fact]
    public async Task AlertRules_EveryRule_PassesItsPromtoolUnitTests()
    {
        var rules = Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "sluice-alerts.yml");
        var cases = Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "sluice-alerts.test.yml");

        var (checkCode, checkOutput, checkError) = ChildProcess.RunToEnd("promtool", "check", "rules", rules);
        var (testCode, testOutput, testError) = ChildProcess.RunToEnd("promtool", "test", "rules", cases);

        Assert.True(checkCode == 0, checkOutput + checkError);
        Assert.True(testCode == 0, testOutput + testError);
        var alerts = AlertName().Matches(await File.ReadAllTextAsync(rules)).Select(m => m.Groups[1].Value).ToList();
        var tested = TestedAlert().Matches(await File.ReadAllTextAsync(cases)).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.NotEmpty(alerts);
        Assert.All(alerts, alert => Assert.Contains(alert, tested));
    }

    [Fact]
    public async Task DashboardAndRules_QueryOnlySeries_ANodeExports()
    {
        using var http = observed.Node.CreateHttpClient();
        var exposition = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        var exported = ExportedName().Matches(exposition).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { Path.Combine("deploy", "grafana", "sluice-dashboard.json"), Path.Combine("deploy", "prometheus", "sluice-alerts.yml") })
        {
            used.UnionWith(SeriesName().Matches(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, file))).Select(m => m.Value));
        }

        Assert.Contains("sluice_delivery_outcomes_total", used);
        Assert.All(used.Where(name => !NotFromANode.Contains(name)), name => Assert.Contains(name, exported));
    }

    [GeneratedRegex(@"^\s*- alert: (\S+)", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"alertname: (\S+)")]
    private static partial Regex TestedAlert();

    [GeneratedRegex(@"^([a-z_]+)(?:\{| )", RegexOptions.Multiline)]
    private static partial Regex ExportedName();

    [GeneratedRegex(@"\b(?:sluice|dotnet)_[a-z_]+|\bup(?=\{)")]
    private static partial Regex SeriesName();
}
