using System.Globalization;
using System.Net;

namespace Sluice.Testing;

/// <summary>
/// A real RabbitMQ broker (Debian's rabbitmq-server) on 127.0.0.1 and ports chosen at run time, in
/// a temp folder, with its own epmd port so that it shares nothing with another broker; stopped by
/// the PIDs of its beam.smp and its epmd. Guest may connect from loopback (the broker's default).
/// </summary>
public sealed class RabbitMqServer : IDisposable
{
    private readonly ChildProcess _wrapper;
    private readonly TempDirectory _dir;
    private readonly int _epmdPort;
    private readonly bool _ownsEpmd;
    private int _disposed;

    private RabbitMqServer(ChildProcess wrapper, TempDirectory dir, string nodeName, int port, int epmdPort, bool ownsEpmd)
    {
        _wrapper = wrapper;
        _dir = dir;
        _epmdPort = epmdPort;
        _ownsEpmd = ownsEpmd;
        NodeName = nodeName;
        Port = port;
    }

    /// <summary>The Erlang node name (<c>name@localhost</c>), for rabbitmqctl and cluster peers.</summary>
    public string NodeName { get; }

    /// <summary>The folder the broker runs in (its HOME: the Erlang cookie is there).</summary>
    public string Directory => _dir.Path;

    public int EpmdPort => _epmdPort;

    public int Port { get; }

    /// <summary><c>amqp://guest:guest@127.0.0.1:PORT/</c>.</summary>
    public Uri AmqpUri => new(string.Create(CultureInfo.InvariantCulture, $"amqp://guest:guest@127.0.0.1:{Port}/"));

    public string Output => _wrapper.Output;

    /// <param name="port">The AMQP port (a test that first has a node find nothing there); default one chosen here.</param>
    public static Task<RabbitMqServer> StartAsync(int? port = null)
    {
        var amqpPort = port ?? FreePort.Next();
        return LaunchAsync(string.Create(CultureInfo.InvariantCulture, $"t{amqpPort}@localhost"), amqpPort, FreePort.Next(), string.Empty, cookie: null, ownsEpmd: true);
    }

    /// <summary>
    /// Starts one broker: its folder, its configuration (plus <paramref name="extraConfig"/>), the
    /// Erlang cookie when given (brokers of one cluster share it), on the epmd port given (shared by
    /// a cluster; stopped with the broker when <paramref name="ownsEpmd"/>). Waits until it listens.
    /// </summary>
    internal static async Task<RabbitMqServer> LaunchAsync(string nodeName, int port, int epmd, string extraConfig, string? cookie, bool ownsEpmd)
    {
        var dir = new TempDirectory();
        var distribution = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "rabbitmq.conf"), $"listeners.tcp.default = 127.0.0.1:{port}\n{extraConfig}").ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "enabled_plugins"), "[].\n").ConfigureAwait(false);
        if (cookie is not null)
        {
            var cookieFile = Path.Combine(dir.Path, ".erlang.cookie");
            await File.WriteAllTextAsync(cookieFile, cookie).ConfigureAwait(false);
            File.SetUnixFileMode(cookieFile, UnixFileMode.UserRead);
        }

        // Debian's wrapper runs the broker as the rabbitmq user, which must own its folder.
        var (chown, _, error) = ChildProcess.RunToEnd("chown", "-R", "rabbitmq", dir.Path);
        if (chown != 0)
        {
            throw new InvalidOperationException("chown rabbitmq: " + error);
        }

        var wrapper = ChildProcess.Start("env", [
            $"ERL_EPMD_PORT={epmd}",
            $"RABBITMQ_NODENAME={nodeName}",
            $"RABBITMQ_NODE_PORT={port}",
            $"RABBITMQ_DIST_PORT={distribution}",
            $"RABBITMQ_MNESIA_BASE={dir.Path}/mnesia",
            $"RABBITMQ_LOG_BASE={dir.Path}/log",
            $"RABBITMQ_CONFIG_FILE={dir.Path}/rabbitmq",
            $"RABBITMQ_ENABLED_PLUGINS_FILE={dir.Path}/enabled_plugins",
            $"RABBITMQ_FEATURE_FLAGS_FILE={dir.Path}/feature_flags",
            $"RABBITMQ_PID_FILE={dir.Path}/rabbit.pid",
            $"HOME={dir.Path}",
            "rabbitmq-server",
        ], dir.Path);
        var server = new RabbitMqServer(wrapper, dir, nodeName, port, epmd, ownsEpmd);
        try
        {
            await Poll.UntilAsync(() => Task.FromResult(server.Listening()), TimeSpan.FromSeconds(60), "RabbitMQ listening", () => wrapper.Output).ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL to the broker's Erlang VM: a broker's sudden death.</summary>
    public void Kill()
    {
        if (BeamPid() is { } beam)
        {
            Posix.Signal(beam, Posix.SigKill);
        }
    }

    /// <summary>Runs rabbitmqctl against this broker (as its HOME, on its epmd port); returns its exit code and output.</summary>
    public (int Code, string Output) Control(params string[] arguments)
    {
        var (code, output, error) = ChildProcess.RunToEnd("env", [$"HOME={_dir.Path}", $"ERL_EPMD_PORT={_epmdPort}", "rabbitmqctl", "-n", NodeName, .. arguments]);
        return (code, output + error);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (BeamPid() is { } beam)
        {
            Stop(beam);
        }

        if (_ownsEpmd)
        {
            StopEpmd(_epmdPort);
        }

        _wrapper.Dispose();
        _dir.Dispose();
    }

    /// <summary>Stops the epmd that was started on <paramref name="epmdPort"/>: the one whose environment names that port.</summary>
    internal static void StopEpmd(int epmdPort)
    {
        foreach (var process in System.Diagnostics.Process.GetProcessesByName("epmd"))
        {
            using (process)
            {
                if (EnvironmentOf(process.Id).Contains($"ERL_EPMD_PORT={epmdPort}\0", StringComparison.Ordinal))
                {
                    Stop(process.Id);
                }
            }
        }
    }

    /// <summary>A process's environment block; empty when it has gone meanwhile (another test's epmd stopping).</summary>
    private static string EnvironmentOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ");
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private int? BeamPid()
        => File.Exists(Path.Combine(_dir.Path, "rabbit.pid")) && int.TryParse(File.ReadAllText(Path.Combine(_dir.Path, "rabbit.pid")).Trim(), out var beam) ? beam : null;

    private static void Stop(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            Posix.Signal(pid, Posix.SigTerm);
            if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                process.Kill();
            }
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    private bool Listening()
    {
        if (_wrapper.HasExited)
        {
            throw new InvalidOperationException("rabbitmq-server exited:\n" + _wrapper.Output);
        }

        return FreePort.IsListening(Port);
    }
}
