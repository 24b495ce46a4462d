using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Sluice.Testing;

/// <summary>
/// A private Postfix instance from Debian's package (never the system one): smtpd on the given
/// address and port with STARTTLS, holding every message it accepts in its hold queue so tests can
/// read what arrived. Runs in the foreground (<c>postfix start-fg</c>) and logs to its stdout.
/// </summary>
public sealed class PostfixServer : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _dir;
    private readonly StringBuilder _log = new();

    private PostfixServer(Process process, TempDirectory dir)
    {
        _process = process;
        _dir = dir;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private string Config => Path.Combine(_dir.Path, "etc");

    public static PostfixServer Start(string address, int port)
    {
        var dir = new TempDirectory();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0b111_101_101);
        var etc = Path.Combine(dir.Path, "etc");
        var queue = Path.Combine(dir.Path, "queue");
        var data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(etc);
        Directory.CreateDirectory(data);
        foreach (var file in new[] { "postfix-files", "dynamicmaps.cf" })
        {
            if (File.Exists(Path.Combine("/etc/postfix", file)))
            {
                File.Copy(Path.Combine("/etc/postfix", file), Path.Combine(etc, file));
            }
        }

        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=postfix.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            File.WriteAllText(Path.Combine(etc, "tls.pem"), key.ExportPkcs8PrivateKeyPem() + "\n" + cert.ExportCertificatePem() + "\n");
        }

        File.WriteAllText(Path.Combine(etc, "main.cf"), string.Create(CultureInfo.InvariantCulture, $"""
            compatibility_level = 3.6
            config_directory = {etc}
            queue_directory = {queue}
            data_directory = {data}
            mail_owner = postfix
            setgid_group = postdrop
            inet_interfaces = loopback-only
            inet_protocols = ipv4
            myhostname = postfix.test
            mydestination =
            alias_maps =
            mynetworks = 127.0.0.0/8
            smtpd_client_restrictions = check_client_access static:HOLD
            smtpd_recipient_restrictions = permit_mynetworks, reject
            smtpd_tls_security_level = may
            smtpd_tls_chain_files = {etc}/tls.pem
            smtpd_tls_loglevel = 1
            maillog_file = /dev/stdout

            """));
        File.WriteAllText(Path.Combine(etc, "master.cf"), string.Create(CultureInfo.InvariantCulture, $"""
            {address}:{port} inet n - n - - smtpd
            cleanup unix n - n - 0 cleanup
            qmgr unix n - n 300 1 qmgr
            rewrite unix - - n - - trivial-rewrite
            anvil unix - - n - 1 anvil
            proxymap unix - - n - - proxymap
            tlsmgr unix - - n 1000? 1 tlsmgr
            postlog unix-dgram n - n - 1 postlogd

            """));
        foreach (var d in new[] { "incoming", "active", "deferred", "defer", "bounce", "corrupt", "hold", "saved", "trace", "flush", "private" })
        {
            Directory.CreateDirectory(Path.Combine(queue, d));
            Run("chown", "postfix:root", Path.Combine(queue, d));
            File.SetUnixFileMode(Path.Combine(queue, d), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        foreach (var d in new[] { "public", "maildrop", "pid" })
        {
            Directory.CreateDirectory(Path.Combine(queue, d));
        }

        Run("chown", "postfix:postdrop", Path.Combine(queue, "public"), Path.Combine(queue, "maildrop"));
        File.SetUnixFileMode(Path.Combine(queue, "public"), (UnixFileMode)0b111_001_000);
        File.SetUnixFileMode(Path.Combine(queue, "maildrop"), (UnixFileMode)0b111_011_000);
        Run("chown", "postfix", data);

        var info = new ProcessStartInfo("postfix") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", etc, "start-fg" })
        {
            info.ArgumentList.Add(a);
        }

        var server = new PostfixServer(Process.Start(info) ?? throw new InvalidOperationException("postfix is not installed: run ./build.sh test"), dir);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!server.Log.Contains("daemon started", StringComparison.Ordinal))
        {
            if (server._process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("Postfix did not start:\n" + server.Log);
            }

            Thread.Sleep(20);
        }

        return server;
    }

    /// <summary>The text of every message in the hold queue (via postcat).</summary>
    public IReadOnlyList<string> HeldMessages()
    {
        var hold = Path.Combine(_dir.Path, "queue", "hold");
        var messages = new List<string>();
        foreach (var file in Directory.GetFiles(hold))
        {
            messages.Add(Run("postcat", "-c", Config, file));
        }

        return messages;
    }

    /// <summary>The messages held, as Postfix stored them (header and body only, CRLF line ends as on the wire).</summary>
    public IReadOnlyList<string> HeldMessageContents()
    {
        var hold = Path.Combine(_dir.Path, "queue", "hold");
        return [.. Directory.GetFiles(hold).Select(file => Run("postcat", "-bh", "-c", Config, file).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal))];
    }

    public void Dispose()
    {
        try
        {
            Run("postfix", "-c", Config, "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        if (!_process.WaitForExit(10_000))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _dir.Dispose();
    }

    private static string Run(string file, params string[] args)
    {
        var (code, output, error) = ChildProcess.RunToEnd(file, args);
        return code == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
