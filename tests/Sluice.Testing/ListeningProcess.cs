namespace Sluice.Testing;

/// <summary>
/// A server process that a fixture starts in its own temp folder and that is ready once it accepts
/// TCP connections on 127.0.0.1:<see cref="Port"/>; disposing it stops the process by its PID and
/// removes the folder. Redis and PostgreSQL are started through this.
/// </summary>
public sealed class ListeningProcess : IDisposable
{
    private readonly ChildProcess _process;
    private readonly TempDirectory? _dir;
    private int _disposed;

    private ListeningProcess(ChildProcess process, TempDirectory? dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string Output => _process.Output;

    /// <summary>Starts <paramref name="program"/> and waits until it listens; on failure stops it, removes <paramref name="dir"/> and says what it printed.</summary>
    public static Task<ListeningProcess> StartAsync(string what, string program, IEnumerable<string> arguments, TempDirectory dir, int port, TimeSpan patience)
    {
        ArgumentNullException.ThrowIfNull(dir);
        return StartAsync(what, program, arguments, dir.Path, dir, port, patience, Posix.SigTerm);
    }

    /// <summary>
    /// Starts <paramref name="program"/> in a folder the caller keeps (a server restarted on its
    /// data), stopped with <paramref name="stopSignal"/>; waits until it listens.
    /// </summary>
    public static Task<ListeningProcess> StartInAsync(string what, string program, IEnumerable<string> arguments, string workingDirectory, int port, TimeSpan patience, int stopSignal)
        => StartAsync(what, program, arguments, workingDirectory, null, port, patience, stopSignal);

    private static async Task<ListeningProcess> StartAsync(string what, string program, IEnumerable<string> arguments, string workingDirectory, TempDirectory? owned, int port, TimeSpan patience, int stopSignal)
    {
        var process = ChildProcess.Start(program, arguments, workingDirectory, stopSignal);
        var server = new ListeningProcess(process, owned, port);
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
        _dir?.Dispose();
    }
}
