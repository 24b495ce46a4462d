using System.Globalization;

namespace Sluice.Testing;

/// <summary>A real Redis (Debian's redis-server) on 127.0.0.1 and a port chosen at run time, in a temp folder, nothing persisted; stopped by its PID.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly ListeningProcess _server;

    private RedisServer(ListeningProcess server) => _server = server;

    public int Port => _server.Port;

    /// <summary>For StackExchange.Redis: <c>127.0.0.1:PORT</c>.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public string Output => _server.Output;

    public static async Task<RedisServer> StartAsync()
    {
        var dir = new TempDirectory();
        var port = FreePort.Next();
        string[] arguments = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.Path];
        return new RedisServer(await ListeningProcess.StartAsync("Redis", "redis-server", arguments, dir, port, TimeSpan.FromSeconds(20)).ConfigureAwait(false));
    }

    public void Dispose() => _server.Dispose();
}
