using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Sluice.Testing;

/// <summary>
/// A real Prometheus (Debian's) on 127.0.0.1 and a port chosen at run time, in a temp folder,
/// scraping the given targets' /metrics every <c>interval</c> (job "sluice", no credentials:
/// nodes let loopback read /metrics); queried through its HTTP API.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    private readonly ChildProcess _process;
    private readonly TempDirectory _dir;
    private readonly HttpClient _http;

    private PrometheusServer(ChildProcess process, TempDirectory dir, int port)
    {
        _process = process;
        _dir = dir;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public string Output => _process.Output;

    public static async Task<PrometheusServer> StartAsync(IReadOnlyList<IPEndPoint> targets, TimeSpan interval)
    {
        var dir = new TempDirectory();
        var seconds = string.Create(CultureInfo.InvariantCulture, $"{interval.TotalSeconds}s");
        var config = Path.Combine(dir.Path, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: {seconds}
              evaluation_interval: {seconds}
            scrape_configs:
              - job_name: sluice
                scrape_interval: {seconds}
                metrics_path: /metrics
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]
            """).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var process = ChildProcess.Start("prometheus", [
                $"--config.file={config}",
                $"--web.listen-address=127.0.0.1:{port}",
                $"--storage.tsdb.path={Path.Combine(dir.Path, "tsdb")}",
            ]);
            var server = new PrometheusServer(process, dir, port);
            try
            {
                await Poll.UntilAsync(server.IsReadyAsync, TimeSpan.FromSeconds(30), "Prometheus ready", () => process.Output).ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && process.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                // Another test took the port between our choice and its bind: choose again.
                server.StopProcess();
            }
        }
    }

    /// <summary>The value of an instant query's first sample, or null while it has none.</summary>
    public async Task<double?> QueryAsync(string promql)
    {
        var answer = await _http.GetStringAsync(new Uri("api/v1/query?query=" + Uri.EscapeDataString(promql), UriKind.Relative)).ConfigureAwait(false);
        var data = JsonDocument.Parse(answer).RootElement.GetProperty("data").GetProperty("result");
        return data.GetArrayLength() == 0 ? null : double.Parse(data[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        StopProcess();
        _http.Dispose();
        _dir.Dispose();
    }

    private void StopProcess() => _process.Dispose();

    private async Task<bool> IsReadyAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException("Prometheus exited:\n" + _process.Output);
        }

        try
        {
            using var ready = await _http.GetAsync(new Uri("-/ready", UriKind.Relative)).ConfigureAwait(false);
            return ready.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
