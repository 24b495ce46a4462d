using System.Globalization;

namespace Sluice.Testing;

/// <summary>A real Redis (Debian's redis-server) on 127.0.0.1 and a port chosen at run time, in a temp folder, nothing persisted; stopped by its PID.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly ChildProcess _process;
    private readonly TempDirectory _dir;

    private RedisServer(ChildProcess process, TempDirectory dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    /// <summary>For StackExchange.Redis: <c>127.0.0.1:PORT</c>.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public string Output => _process.Output;

    public static async Task<RedisServer> StartAsync()
    {
        var dir = new TempDirectory();
        var port = FreePort.Next();
        var process = ChildProcess.Start("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.Path], dir.Path);
        var server = new RedisServer(process, dir, port);
        try
        {
            await Poll.UntilAsync(() => Task.FromResult(!process.HasExited && FreePort.IsListening(port)), TimeSpan.FromSeconds(20), "Redis listening", () => process.Output).ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _process.Dispose();
        _dir.Dispose();
    }
}
