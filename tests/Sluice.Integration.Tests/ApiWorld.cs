using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>A node that relays everything to a `sluice sink` (on its own loopback address), with an admin API client.</summary>
public sealed class ApiWorld : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly IDictionary<string, string>? _environment;
    private readonly string[] _extraArgs;

    private ApiWorld(IDictionary<string, string>? environment, string[] extraArgs)
    {
        _environment = environment;
        _extraArgs = extraArgs;
    }

    public SluiceProcess Sink { get; private set; } = null!;

    public SluiceProcess Node { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string Store => Path.Combine(_dir.Path, "sink");

    public string Folder => _dir.Path;

    public static async Task<ApiWorld> StartAsync(string sinkAddress, IDictionary<string, string>? environment = null, params string[] extraArgs)
    {
        var world = new ApiWorld(environment, extraArgs);
        world.Sink = await SluiceProcess.StartSinkAsync(world.Store, [], sinkAddress);
        await world.StartNodeAsync();
        return world;
    }

    /// <summary>Stops the node gracefully and starts it again on the same data folder.</summary>
    public async Task RestartNodeAsync()
    {
        Assert.Equal(0, await Node.TerminateAsync(TimeSpan.FromSeconds(30)));
        await Node.DisposeAsync();
        Http.Dispose();
        await StartNodeAsync();
    }

    /// <summary>
    /// Waits until the message has been tried and put back in the queue (not being delivered right
    /// now), so that a flush makes it due: a flush never touches a message in flight.
    /// </summary>
    /// <summary>Waits until the message is held for its suspended destination (not attempted: attempts stay 0).</summary>
    public Task WaitHeldAsync(string id)
        => Testing.Poll.UntilAsync(
            async () =>
            {
                var view = System.Text.Json.JsonDocument.Parse(await Http.GetStringAsync(new Uri($"api/v1/messages/{id}", UriKind.Relative))).RootElement;
                return view.GetProperty("state").GetString() == "held" && view.GetProperty("attempts").GetInt32() == 0;
            },
            TimeSpan.FromSeconds(30),
            $"{id} held for its suspended destination");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Node.DisposeAsync();
        await Sink.DisposeAsync();
        _dir.Dispose();
    }

    private async Task StartNodeAsync()
    {
        Node = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "node"), ["--relay-host", Sink.SmtpEndpoint.ToString(), .. _extraArgs], _environment, delivery: true);
        Http = Node.CreateHttpClient();
    }
}
