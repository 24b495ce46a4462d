using System.Globalization;

namespace Sluice.Testing;

/// <summary>
/// A real Redis (Debian's redis-server) on 127.0.0.1 and a port chosen at run time, in a temp
/// folder, nothing persisted; stopped by its PID. <see cref="Stop"/> and <see cref="StartAgainAsync"/>
/// play an outage and a restart: it comes back empty on the same port, as a Redis without
/// persistence does.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private ListeningProcess? _server;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>For StackExchange.Redis: <c>127.0.0.1:PORT</c>.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public string Output => _server?.Output ?? "";

    public static Task<RedisServer> StartAsync() => StartOnAsync(FreePort.Next());

    /// <summary>Starts one on a given port (a node already configured for it, waiting).</summary>
    public static async Task<RedisServer> StartOnAsync(int port)
    {
        var server = new RedisServer(port);
        await server.StartAgainAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Starts it (again) on its port, empty.</summary>
    public async Task StartAgainAsync()
    {
        Stop();
        var dir = new TempDirectory();
        string[] arguments = ["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.Path];
        _server = await ListeningProcess.StartAsync("Redis", "redis-server", arguments, dir, Port, TimeSpan.FromSeconds(20)).ConfigureAwait(false);
    }

    /// <summary>Stops it (its PID) and forgets everything it held.</summary>
    public void Stop()
    {
        _server?.Dispose();
        _server = null;
    }

    public void Dispose() => Stop();
}
