using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Top;
using Spectre.Console;

namespace Sluice.Commands;

/// <summary><c>sluice top</c>: a live view of a node — rates, queue by destination, relay pools, resources — refreshed every interval.</summary>
internal static class TopCommand
{
    public static Command Create()
    {
        var api = QueueCommand.ApiOption();
        var key = QueueCommand.KeyOption();
        var interval = new Option<TimeSpan>("--interval") { Description = "Time between refreshes (default 00:00:02).", DefaultValueFactory = _ => TimeSpan.FromSeconds(2) };
        var once = new Option<bool>("--once") { Description = "Print one frame (rates over one interval) and exit, for scripts." };
        var command = new Command("top", "Live view of a node: accept and delivery rates, queue by destination, relay pools, CPU, memory and disk.") { api, key, interval, once };
        command.SetAction((p, ct) => QueueCommand.RunAsync(p, api, async http =>
        {
            var every = p.GetValue(interval);
            if (every < TimeSpan.FromMilliseconds(100))
            {
                throw new CommandFailedException("--interval: at least 00:00:00.1");
            }

            var earlier = await SampleAsync(http, ct);
            if (p.GetValue(once))
            {
                await Task.Delay(every, TimeProvider.System, ct);
                AnsiConsole.Write(await FrameAsync(http, earlier, ct));
                return;
            }

            await AnsiConsole.Live(new Markup("sampling…")).StartAsync(async live =>
            {
                while (!ct.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(every, TimeProvider.System, ct);
                        var now = await SampleAsync(http, ct);
                        live.UpdateTarget(await RenderAsync(http, earlier, now, ct));
                        earlier = now;
                    }
                    catch (OperationCanceledException)
                    {
                        // Ctrl-C: the last frame stays on screen.
                    }
                }
            });
        }));
        return command;
    }

    private static async Task<Spectre.Console.Rendering.IRenderable> FrameAsync(HttpClient http, MetricsSample earlier, CancellationToken ct)
        => await RenderAsync(http, earlier, await SampleAsync(http, ct), ct);

    private static async Task<Spectre.Console.Rendering.IRenderable> RenderAsync(HttpClient http, MetricsSample earlier, MetricsSample now, CancellationToken ct)
    {
        var summary = await http.GetFromJsonAsync<JsonElement>("api/v1/queue/summary", ct);
        // A node running without delivery answers 409 here: it has no pools to show.
        using var answer = await http.GetAsync(new Uri("api/v1/pools", UriKind.Relative), ct);
        var pools = answer.StatusCode == System.Net.HttpStatusCode.Conflict ? default : await QueueCommand.Read(answer, ct);
        return TopView.Render(http.BaseAddress!, earlier, now, summary, pools);
    }

    private static async Task<MetricsSample> SampleAsync(HttpClient http, CancellationToken ct)
        => MetricsSample.Parse(await http.GetStringAsync(new Uri("metrics", UriKind.Relative), ct), TimeProvider.System.GetUtcNow());
}
