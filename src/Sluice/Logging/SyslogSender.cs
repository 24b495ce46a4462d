using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Sluice.Logging;

/// <summary>
/// Sends RFC 5424 messages to one syslog server, over UDP (a datagram each) or TCP (RFC 6587
/// octet counting, reconnecting after a failure). Logging never waits for the network: messages go
/// through a bounded queue to a background task, and are dropped (and counted) when it is full or
/// the server is away.
/// </summary>
internal sealed class SyslogSender : IAsyncDisposable
{
    private const int QueueLength = 10_000;
    private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Uri _address;
    private readonly SyslogOptions _options;
    private readonly TimeProvider _time;
    private readonly string _host;
    private readonly string _appName;
    private readonly string _procId = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    private readonly Task _sending;
    private long _dropped;

    public SyslogSender(SyslogOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _address = Parse(options.Address!) ?? throw new ArgumentException("not a syslog address", nameof(options));
        _host = Printable(System.Net.Dns.GetHostName(), 255);
        _appName = Printable(options.AppName, 48);
        _sending = Task.Run(SendAsync);
    }

    /// <summary>Messages not sent: the queue was full or the server could not be reached.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary><c>udp://HOST:PORT</c> or <c>tcp://HOST:PORT</c>, or null.</summary>
    public static Uri? Parse(string address)
        => Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "udp" or "tcp" && uri.Port > 0 && !string.IsNullOrEmpty(uri.Host) ? uri : null;

    /// <summary>
    /// Formats one message (RFC 5424 §6: <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG</c>)
    /// and queues it. <paramref name="severity"/> is RFC 5424's (0 emergency … 7 debug).
    /// </summary>
    public void Send(int severity, string? messageId, string message)
    {
        var text = Format(severity, messageId, message);
        if (!_queue.Writer.TryWrite(Encoding.UTF8.GetBytes(text)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public string Format(int severity, string? messageId, string message)
    {
        var priority = ((int)_options.Facility * 8) + severity;
        var timestamp = _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        // MSG is UTF-8 with its BOM (§6.4) so that a collector does not guess the encoding.
        return string.Create(CultureInfo.InvariantCulture, $"<{priority}>1 {timestamp} {_host} {_appName} {_procId} {Printable(messageId, 32)} - \uFEFF{message}");
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _sending.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>A header field: printable US-ASCII without spaces (§6), "-" when empty.</summary>
    private static string Printable(string? value, int max)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "-";
        }

        var field = new StringBuilder(Math.Min(value.Length, max));
        foreach (var c in value)
        {
            if (field.Length == max)
            {
                break;
            }

            field.Append(c is > ' ' and < (char)127 ? c : '_');
        }

        return field.ToString();
    }

    private async Task SendAsync()
    {
        Socket? socket = null;
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    socket ??= await ConnectAsync().ConfigureAwait(false);
                    if (_address.Scheme == "udp")
                    {
                        await socket.SendAsync(message, SocketFlags.None).ConfigureAwait(false);
                    }
                    else
                    {
                        // RFC 6587 §3.4.1: MSG-LEN SP SYSLOG-MSG.
                        var frame = Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " ");
                        await socket.SendAsync(frame, SocketFlags.None).ConfigureAwait(false);
                        await socket.SendAsync(message, SocketFlags.None).ConfigureAwait(false);
                    }
                }
                catch (SocketException)
                {
                    // The server is away: this message is lost (counted) and the next one reconnects.
                    Interlocked.Increment(ref _dropped);
                    socket?.Dispose();
                    socket = null;
                }
            }
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = _address.Scheme == "udp"
            ? new Socket(SocketType.Dgram, ProtocolType.Udp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(_address.Host, _address.Port).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
