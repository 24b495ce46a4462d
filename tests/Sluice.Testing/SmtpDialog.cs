using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Sluice.Testing;

/// <summary>A scripted SMTP client for dialog tests: send lines, read whole replies.</summary>
public sealed class SmtpDialog : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);
    private readonly TcpClient _client;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private Stream _stream;
    private int _start;
    private int _end;

    private SmtpDialog(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static Task<SmtpDialog> ConnectAsync(IPEndPoint endpoint, bool readGreeting = true) => ConnectAsync(endpoint, null, readGreeting);

    /// <summary>Connects from <paramref name="source"/> (another loopback address stands in for another client host).</summary>
    public static async Task<SmtpDialog> ConnectAsync(IPEndPoint endpoint, IPAddress? source, bool readGreeting = true)
    {
        var client = source is null ? new TcpClient(endpoint.AddressFamily) { NoDelay = true } : new TcpClient(new IPEndPoint(source, 0)) { NoDelay = true };
        await client.ConnectAsync(endpoint);
        var dialog = new SmtpDialog(client);
        if (readGreeting)
        {
            await dialog.ReadGreetingAsync();
        }

        return dialog;
    }

    /// <summary>A new session up to RCPT: returns the server's reply to <c>RCPT TO:&lt;to&gt;</c>.</summary>
    public static async Task<string> RcptReplyAsync(IPEndPoint endpoint, string from, string to)
    {
        await using var dialog = await ConnectAsync(endpoint).ConfigureAwait(false);
        await dialog.CommandAsync("EHLO client.test").ConfigureAwait(false);
        await dialog.CommandAsync($"MAIL FROM:<{from}>").ConfigureAwait(false);
        return await dialog.CommandAsync($"RCPT TO:<{to}>").ConfigureAwait(false);
    }

    public Task SendAsync(string raw) => SendAsync(Encoding.UTF8.GetBytes(raw));

    public async Task SendAsync(byte[] raw)
    {
        await _stream.WriteAsync(raw);
        await _stream.FlushAsync();
    }

    /// <summary>Sends one command line (CRLF added) and returns the reply.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>MAIL, RCPT and DATA, each expected to succeed; the session is then in DATA mode.</summary>
    public async Task BeginDataAsync(string from = "a@example.com", string to = "b@example.org")
    {
        Assert.StartsWith("250 ", await CommandAsync($"MAIL FROM:<{from}>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await CommandAsync($"RCPT TO:<{to}>"), StringComparison.Ordinal);
        Assert.StartsWith("354 ", await CommandAsync("DATA"), StringComparison.Ordinal);
    }

    /// <summary>Reads the greeting, asserting it is a 220 reply (one line or several), and returns it.</summary>
    public async Task<string> ReadGreetingAsync()
    {
        var greeting = await ReadReplyAsync();
        Assert.StartsWith("220 ", greeting[(greeting.LastIndexOf('\n') + 1)..], StringComparison.Ordinal);
        return greeting;
    }

    /// <summary>Reads one complete reply; multi-line replies are joined with '\n'.</summary>
    public async Task<string> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new IOException("Connection closed before a complete reply. Got: " + string.Join("|", lines));
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return string.Join('\n', lines);
            }
        }
    }

    /// <summary>True when the server closes the connection (read returns 0) before the deadline.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        try
        {
            while (true)
            {
                if (_start < _end)
                {
                    _start = _end;
                }

                var n = await _stream.ReadAsync(_buffer, cts.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The server's certificate once TLS is up.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate? RemoteCertificate => (_stream as SslStream)?.RemoteCertificate;

    public async Task StartTlsAsync()
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        _stream = ssl;
        _start = _end = 0;
    }

    /// <summary>Connects with TLS from the first byte (implicit TLS, RFC 8314) and reads the greeting.</summary>
    public static async Task<SmtpDialog> ConnectTlsAsync(IPEndPoint endpoint)
    {
        var dialog = await ConnectAsync(endpoint, readGreeting: false);
        await dialog.StartTlsAsync();
        await dialog.ReadGreetingAsync();
        return dialog;
    }

    /// <summary>Drops the connection abortively (RST, no FIN), as a client host that crashes mid-session does.</summary>
    public void Reset()
    {
        _client.Client.LingerState = new LingerOption(true, 0);
        _client.Client.Close();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (ObjectDisposedException)
        {
            // Reset already.
        }

        _client.Dispose();
    }

    /// <summary>Reads one line (without CRLF); null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                Assert.True(lf > 0 && span[lf - 1] == (byte)'\r', "server replies end with CRLF");
                var line = Encoding.UTF8.GetString(span[..(lf - 1)]);
                _start += lf + 1;
                return line;
            }

            if (_start > 0)
            {
                span.CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token);
            if (n == 0)
            {
                return null;
            }

            _end += n;
        }
    }
}
