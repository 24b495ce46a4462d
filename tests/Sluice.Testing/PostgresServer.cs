using System.Globalization;

namespace Sluice.Testing;

/// <summary>
/// A real PostgreSQL 15 (Debian's postgresql) on 127.0.0.1 and a port chosen at run time: a fresh
/// cluster in a temp folder (initdb, trust authentication, superuser <c>sluice</c>), the server run
/// in the foreground as the <c>postgres</c> user (it refuses root) through <c>setpriv</c>, which
/// execs it, so the PID held is the postmaster's; stopped by that PID with a fast shutdown
/// (SIGINT: clients are disconnected). <see cref="RestartAsync"/> stops it and starts it again on
/// the same data and port, as an operator's restart does.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private static readonly string[] AsPostgres = ["--reuid=postgres", "--regid=postgres", "--init-groups", "--"];
    private readonly TempDirectory _dir;
    private ListeningProcess? _server;

    private PostgresServer(TempDirectory dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    /// <summary>For Npgsql: the <c>postgres</c> database as superuser <c>sluice</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=sluice;Database=postgres;Pooling=false");

    public string Output => _server?.Output ?? "";

    public static async Task<PostgresServer> StartAsync()
    {
        var dir = new TempDirectory();
        var server = new PostgresServer(dir, FreePort.Next());
        try
        {
            Run("chown", "postgres", dir.Path);
            Run("setpriv", [.. AsPostgres, Bin + "/initdb", "-D", Path.Combine(dir.Path, "data"), "-A", "trust", "-U", "sluice", "--no-sync"]);
            await server.RunAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>A restart: fast shutdown (every client disconnected), then the same data on the same port.</summary>
    public async Task RestartAsync()
    {
        Stop();
        await StartAgainAsync().ConfigureAwait(false);
    }

    /// <summary>Fast shutdown: every client disconnected, the port closed until <see cref="StartAgainAsync"/>.</summary>
    public void Stop()
    {
        _server?.Dispose();
        _server = null;
    }

    /// <summary>The same data on the same port again.</summary>
    public Task StartAgainAsync() => RunAsync();

    public void Dispose()
    {
        _server?.Dispose();
        _dir.Dispose();
    }

    private async Task RunAsync()
    {
        string[] arguments = [.. AsPostgres, Bin + "/postgres", "-D", Path.Combine(_dir.Path, "data"), "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _dir.Path, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"];
        _server = await ListeningProcess.StartInAsync("PostgreSQL", "setpriv", arguments, _dir.Path, Port, TimeSpan.FromSeconds(30), Posix.SigInt).ConfigureAwait(false);
    }

    private static void Run(string program, params string[] arguments)
    {
        var (code, output, error) = ChildProcess.RunToEnd(program, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {code}: {output}{error}");
        }
    }
}
