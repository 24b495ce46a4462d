using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Testing;

/// <summary>
/// A real HAProxy (Debian's) in TCP mode on 127.0.0.1 and a port chosen at run time, balancing to
/// the given nodes with PROXY v2 and SMTP health checks that send the PROXY header too; stopped by PID.
/// </summary>
public sealed class HaproxyServer : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _dir;
    private readonly StringBuilder _output = new();

    private HaproxyServer(Process process, TempDirectory dir, int port)
    {
        _process = process;
        _dir = dir;
        Endpoint = new IPEndPoint(IPAddress.Loopback, port);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public IPEndPoint Endpoint { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static HaproxyServer Start(IReadOnlyList<IPEndPoint> nodes, TimeSpan checkInterval)
    {
        var dir = new TempDirectory();
        var port = FreePort.Next();
        var servers = new StringBuilder();
        for (var i = 0; i < nodes.Count; i++)
        {
            servers.AppendLine(CultureInfo.InvariantCulture, $"  server n{i} {nodes[i]} send-proxy-v2 check check-send-proxy inter {(int)checkInterval.TotalMilliseconds}ms fall 2 rise 1");
        }

        var config = Path.Combine(dir.Path, "haproxy.cfg");
        File.WriteAllText(config, $"""
            global
              maxconn 2000
            defaults
              mode tcp
              timeout connect 2s
              timeout client 120s
              timeout server 120s
            frontend smtp
              bind 127.0.0.1:{port}
              default_backend nodes
            backend nodes
              balance roundrobin
              option smtpchk EHLO haproxy.sluice.test
            {servers}
            """);
        var info = new ProcessStartInfo("haproxy") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-db");
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add(config);
        var process = Process.Start(info) ?? throw new InvalidOperationException("haproxy is not installed: run ./build.sh test");
        var server = new HaproxyServer(process, dir, port);
        server.WaitReady();
        return server;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        _dir.Dispose();
    }

    private void WaitReady()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"haproxy exited: {Output}");
            }

            try
            {
                using var probe = new TcpClient();
                probe.Connect(Endpoint);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new TimeoutException($"haproxy did not listen on {Endpoint}: {Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
