using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Sluice.Benchmarks;

/// <summary>
/// Load for the sending API: single messages (POST /api/v1/messages) from many concurrent clients,
/// or 1,000-recipient batches (POST /api/v1/batches) from a few. Every 202/200 means the messages
/// are durable in the spool. With DOMAINS, batch recipients are spread over d0.test … d(DOMAINS-1).test
/// (recipient k of the run goes to d(k mod DOMAINS).test). Prints "messages seconds" on one line.
/// </summary>
internal static class ApiLoad
{
    public static async Task RunAsync(string api, string key, string mode, int messages, int concurrency, string? template, int domains = 0)
    {
        using var http = new HttpClient { BaseAddress = new Uri(api.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var body = new string('x', 3000);
        var next = 0;
        var accepted = 0L;
        var perRequest = mode == "batch" ? 1000 : 1;
        var requests = messages / perRequest;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n > requests)
                {
                    return;
                }

                using var response = mode == "batch"
                    ? await http.PostAsJsonAsync("api/v1/batches", new
                    {
                        from = "bench@src.example",
                        template = new { id = template },
                        recipients = Enumerable.Range(0, 1000).Select(i => new { to = domains > 0 ? $"r{n}-{i}@d{(((n - 1) * 1000) + i) % domains}.test" : $"r{n}-{i}@bench.example", variables = new { name = $"Reader {i}", n } }),
                    })
                    : await http.PostAsJsonAsync("api/v1/messages", new { from = "bench@src.example", to = new[] { $"r{n}@bench.example" }, subject = $"bench {n}", text = body });
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }

                Interlocked.Add(ref accepted, perRequest);
            }
        }));
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{accepted} {clock.Elapsed.TotalSeconds:0.000}"));
    }
}
