using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Sluice.Testing;

/// <summary>
/// A real DNS server (Debian's dnsmasq) on 127.0.0.1 and a port chosen at run time, answering only
/// for the zone given (<c>--local</c>: unknown names there are NXDOMAIN), stopped by PID.
/// </summary>
public sealed class DnsmasqServer : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _dir;

    private DnsmasqServer(Process process, TempDirectory dir, int port)
    {
        _process = process;
        _dir = dir;
        Endpoint = new IPEndPoint(IPAddress.Loopback, port);
    }

    public IPEndPoint Endpoint { get; }

    /// <param name="records">dnsmasq options such as <c>--mx-host=example.test,mx1.example.test,10</c> or <c>--host-record=mx1.example.test,127.0.0.2</c>.</param>
    public static DnsmasqServer Start(string zone, int ttlSeconds, params string[] records)
    {
        // Another test may take the port between our check and dnsmasq's bind: choose again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return StartOnce(zone, ttlSeconds, records);
            }
            catch (InvalidOperationException ex) when (attempt < 5 && ex.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
        }
    }

    private static DnsmasqServer StartOnce(string zone, int ttlSeconds, string[] records)
    {
        var dir = new TempDirectory();
        var port = FreeUdpPort();
        var info = new ProcessStartInfo("dnsmasq") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[]
        {
            "--keep-in-foreground", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--listen-address=127.0.0.1", "--bind-interfaces",
            string.Create(CultureInfo.InvariantCulture, $"--port={port}"), "--user=root", $"--pid-file={Path.Combine(dir.Path, "pid")}",
            $"--local=/{zone}/", string.Create(CultureInfo.InvariantCulture, $"--local-ttl={ttlSeconds}"), "--log-queries", $"--log-facility={Path.Combine(dir.Path, "log")}",
        }.Concat(records))
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dnsmasq is not installed: run ./build.sh test");
        var server = new DnsmasqServer(process, dir, port);
        try
        {
            server.WaitReady();
        }
        catch (InvalidOperationException)
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <summary>How many queries dnsmasq has logged so far (to prove what a cache saved).</summary>
    public int QueryCount(string name)
    {
        var log = Path.Combine(_dir.Path, "log");
        if (!File.Exists(log))
        {
            return 0;
        }

        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var count = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Contains("query[", StringComparison.Ordinal) && line.Contains($"] {name} from", StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
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

    /// <summary>
    /// A port free for UDP and TCP both (dnsmasq binds both), from <see cref="FreePort"/>'s range
    /// below the ephemeral ports: an OS-chosen UDP port can be the local port of some test's TCP connection.
    /// </summary>
    private static int FreeUdpPort()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = FreePort.Next();
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Taken for UDP: another.
            }
        }

        throw new InvalidOperationException("no free UDP port found");
    }

    private void WaitReady()
    {
        // dnsmasq writes its pid file once it is bound and serving.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(Path.Combine(_dir.Path, "pid")))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("dnsmasq did not start: " + _process.StandardError.ReadToEnd());
            }

            Thread.Sleep(10);
        }
    }
}
