using System.Globalization;

namespace Sluice.Testing;

/// <summary>
/// A real PostgreSQL 15 (Debian's postgresql) on 127.0.0.1 and a port chosen at run time: a fresh
/// cluster in a temp folder (initdb, trust authentication, superuser <c>sluice</c>), the server run
/// in the foreground as the <c>postgres</c> user (it refuses root) through <c>setpriv</c>, which
/// execs it, so the PID held is the postmaster's; stopped by that PID.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private static readonly string[] AsPostgres = ["--reuid=postgres", "--regid=postgres", "--init-groups", "--"];
    private readonly ListeningProcess _server;

    private PostgresServer(ListeningProcess server) => _server = server;

    public int Port => _server.Port;

    /// <summary>For Npgsql: the <c>postgres</c> database as superuser <c>sluice</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=sluice;Database=postgres;Pooling=false");

    public string Output => _server.Output;

    public static async Task<PostgresServer> StartAsync()
    {
        var dir = new TempDirectory();
        var data = Path.Combine(dir.Path, "data");
        Run("chown", "postgres", dir.Path);
        Run("setpriv", [.. AsPostgres, Bin + "/initdb", "-D", data, "-A", "trust", "-U", "sluice", "--no-sync"]);
        var port = FreePort.Next();
        string[] arguments = [.. AsPostgres, Bin + "/postgres", "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-k", dir.Path, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"];
        return new PostgresServer(await ListeningProcess.StartAsync("PostgreSQL", "setpriv", arguments, dir, port, TimeSpan.FromSeconds(30)).ConfigureAwait(false));
    }

    public void Dispose() => _server.Dispose();

    private static void Run(string program, params string[] arguments)
    {
        var (code, output, error) = ChildProcess.RunToEnd(program, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {code}: {output}{error}");
        }
    }
}
