namespace Sluice.Testing;

/// <summary>
/// A server process that a fixture starts in its own temp folder and that is ready once it accepts
/// TCP connections on 127.0.0.1:<see cref="Port"/>; disposing it stops the process by its PID and
/// removes the folder. Redis and PostgreSQL are started through this.
/// </summary>
public sealed class ListeningProcess : IDisposable
{
    private readonly ChildProcess _process;
    private readonly TempDirectory _dir;
    private int _disposed;

    private ListeningProcess(ChildProcess process, TempDirectory dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string Output => _process.Output;

    /// <summary>Starts <paramref name="program"/> and waits until it listens; on failure stops it, removes <paramref name="dir"/> and says what it printed.</summary>
    public static async Task<ListeningProcess> StartAsync(string what, string program, IEnumerable<string> arguments, TempDirectory dir, int port, TimeSpan patience)
    {
        ArgumentNullException.ThrowIfNull(dir);
        var process = ChildProcess.Start(program, arguments, dir.Path);
        var server = new ListeningProcess(process, dir, port);
        try
        {
            await Poll.UntilAsync(() => Task.FromResult(!process.HasExited && FreePort.IsListening(port)), patience, what + " listening", () => process.Output).ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Stops the process and removes its folder; a second call does nothing (a test may stop a server early).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _process.Dispose();
        _dir.Dispose();
    }
}
