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

    private RabbitMqServer(ChildProcess wrapper, TempDirectory dir, int port, int epmdPort)
    {
        _wrapper = wrapper;
        _dir = dir;
        _epmdPort = epmdPort;
        Port = port;
    }

    public int Port { get; }

    /// <summary><c>amqp://guest:guest@127.0.0.1:PORT/</c>.</summary>
    public Uri AmqpUri => new(string.Create(CultureInfo.InvariantCulture, $"amqp://guest:guest@127.0.0.1:{Port}/"));

    public string Output => _wrapper.Output;

    /// <param name="port">The AMQP port (a test that first has a node find nothing there); default one chosen here.</param>
    public static async Task<RabbitMqServer> StartAsync(int? port = null)
    {
        var dir = new TempDirectory();
        var amqpPort = port ?? FreePort.Next();
        var distribution = FreePort.Next();
        var epmd = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "rabbitmq.conf"), $"listeners.tcp.default = 127.0.0.1:{amqpPort}\n").ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "enabled_plugins"), "[].\n").ConfigureAwait(false);
        // Debian's wrapper runs the broker as the rabbitmq user, which must own its folder.
        var (chown, _, error) = ChildProcess.RunToEnd("chown", "-R", "rabbitmq", dir.Path);
        if (chown != 0)
        {
            throw new InvalidOperationException("chown rabbitmq: " + error);
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"t{amqpPort}@localhost");
        var wrapper = ChildProcess.Start("env", [
            $"ERL_EPMD_PORT={epmd}",
            $"RABBITMQ_NODENAME={name}",
            $"RABBITMQ_NODE_PORT={amqpPort}",
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
        var server = new RabbitMqServer(wrapper, dir, amqpPort, epmd);
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

    public void Dispose()
    {
        if (File.Exists(Path.Combine(_dir.Path, "rabbit.pid")) && int.TryParse(File.ReadAllText(Path.Combine(_dir.Path, "rabbit.pid")).Trim(), out var beam))
        {
            Stop(beam);
        }

        // Its own epmd: the one whose environment names our port.
        foreach (var process in System.Diagnostics.Process.GetProcessesByName("epmd"))
        {
            using (process)
            {
                var environ = $"/proc/{process.Id}/environ";
                if (File.Exists(environ) && File.ReadAllText(environ).Contains($"ERL_EPMD_PORT={_epmdPort}\0", StringComparison.Ordinal))
                {
                    Stop(process.Id);
                }
            }
        }

        _wrapper.Dispose();
        _dir.Dispose();
    }

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
