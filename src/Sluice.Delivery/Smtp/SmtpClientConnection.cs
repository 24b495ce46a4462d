using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Sluice.Smtp;

namespace Sluice.Delivery.Smtp;

/// <summary>
/// One outbound SMTP connection (ours, over pipelines). It sends the spool's bytes as they are,
/// pipelines MAIL and every RCPT in one write when the peer allows, uses BDAT when offered, and
/// turns every result into per-recipient <see cref="DeliveryOutcome"/> values. After a 4xx/5xx it
/// sends RSET and stays usable; after an I/O, TLS or protocol error it is not usable any more.
/// </summary>
internal sealed partial class SmtpClientConnection : IAsyncDisposable
{
    // How long to wait for the server to close after its reply to QUIT.
    private static readonly TimeSpan QuitLinger = TimeSpan.FromSeconds(1);
    private readonly SmtpClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _timeout;
    private Stream _stream;
    private PipeReader _reader;
    private PipeWriter _writer;
    private SessionPhase _phase = SessionPhase.Greeting;

    private SmtpClientConnection(Socket socket, SmtpClientOptions options, TimeProvider time)
    {
        _socket = socket;
        _options = options;
        _time = time;
        _stream = new NetworkStream(socket, ownsSocket: true);
        (_reader, _writer) = Pipes(_stream);
        _timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    public IPEndPoint Remote { get; private set; } = new(IPAddress.None, 0);

    /// <summary>The host name the connection was made to (the MX or relay name), for logs and DSNs.</summary>
    public string ServerName { get; private set; } = string.Empty;

    public PeerCapabilities Capabilities { get; private set; } = PeerCapabilities.Helo;

    public bool IsTls { get; private set; }

    /// <summary>False after an I/O, TLS or protocol error: discard, do not reuse.</summary>
    public bool IsUsable { get; private set; } = true;

    public int MessagesSent { get; private set; }

    /// <summary>
    /// For a cached idle connection: false when the peer has closed it or sent something unasked
    /// (an idle-timeout 421). A server says nothing between transactions, so anything readable
    /// means the session is over; one poll syscall spares a message a failed attempt.
    /// </summary>
    public bool LooksAlive()
    {
        try
        {
            return IsUsable && !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public DateTimeOffset LastUsed { get; private set; }

    /// <summary>Connects, reads the greeting, says EHLO (HELO if refused) and starts TLS per policy.</summary>
    public static async Task<(SmtpClientConnection? Connection, DeliveryOutcome? Failure)> OpenAsync(
        IPEndPoint target, string serverName, SmtpClientOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (options.SourceAddress is { } source)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            using var connectTimeout = new CancellationTokenSource(options.ConnectTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(connectTimeout.Token, cancellationToken);
            await socket.ConnectAsync(target, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            return (null, ex is SocketException se
                ? DeliveryOutcome.Session(OutcomeCause.ConnectFailed, SessionPhase.Connect, "4.4.1", $"Connection to {target} failed: {se.SocketErrorCode}")
                : DeliveryOutcome.Session(OutcomeCause.TimedOut, SessionPhase.Connect, "4.4.1", $"Connection to {target} failed: timeout"));
        }

        var connection = new SmtpClientConnection(socket, options, time) { Remote = target, ServerName = serverName };
        var failure = await connection.HandshakeAsync(serverName, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            return (null, failure);
        }

        return (connection, null);
    }

    public async Task QuitAsync()
    {
        if (!IsUsable)
        {
            return;
        }

        try
        {
            await WriteLineAsync("QUIT").ConfigureAwait(false);
            await FlushAsync().ConfigureAwait(false);
            await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false);
            await AwaitCloseAsync(QuitLinger).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportError(ex))
        {
            // Saying goodbye is a courtesy; the peer may already be gone.
        }

        IsUsable = false;
    }

    public async ValueTask DisposeAsync()
    {
        IsUsable = false;
        try
        {
            await _reader.CompleteAsync().ConfigureAwait(false);

            // Completing the writer flushes what is buffered; the peer may be gone already.
            await _writer.CompleteAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportError(ex))
        {
            // Nothing left to say to a peer that is gone; the socket is released either way.
        }
        finally
        {
            _timeout.Dispose();
        }
    }

    private static (PipeReader, PipeWriter) Pipes(Stream stream)
        => (PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)), PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)));

    private static bool IsTransportError(Exception ex)
        => ex is IOException or SocketException or OperationCanceledException or AuthenticationException or ObjectDisposedException or SmtpProtocolException;

    /// <summary>What went wrong, in words an operator reads in a bounce or the event log; our timeouts surface as cancellations.</summary>
    private static string Describe(Exception ex)
        => ex is OperationCanceledException ? "timeout waiting for the server (see the site's shaping timeouts)" : ex.Message;

    /// <summary>The typed outcome of a transport fault in the current phase: a timeout, a failed TLS handshake, or a lost session (before or after the final dot).</summary>
    private DeliveryOutcome TransportFailure(Exception ex, string what)
    {
        var cause = ex switch
        {
            OperationCanceledException => OutcomeCause.TimedOut,
            AuthenticationException => OutcomeCause.TlsFailed,
            _ when _phase == SessionPhase.FinalDot => OutcomeCause.LostAfterDot,
            _ => OutcomeCause.LostBeforeDot,
        };
        return DeliveryOutcome.Session(cause, _phase, cause == OutcomeCause.TlsFailed ? "4.7.5" : "4.4.2", $"{what} {Remote} failed in {_phase}: {Describe(ex)}");
    }

    private async Task<DeliveryOutcome?> HandshakeAsync(string serverName, CancellationToken cancellationToken)
    {
        try
        {
            if (!_options.Preamble.IsEmpty)
            {
                _writer.Write(_options.Preamble.Span);
                await FlushAsync().ConfigureAwait(false);
            }

            _phase = SessionPhase.Greeting;
            var greeting = await ReadReplyAsync(_options.GreetingTimeout).ConfigureAwait(false);
            if (greeting.Reply.Code != 220)
            {
                // RFC 5321 §3.1: a 554 greeting means no service here; a 421 means try later. Either way, not this host now.
                return new DeliveryOutcome(DeliveryOutcomeKind.Transient, greeting.Reply, OutcomeCause.PeerReply, SessionPhase.Greeting);
            }

            var hello = await HelloAsync().ConfigureAwait(false);
            if (hello is not null)
            {
                return hello;
            }

            if (_options.Tls == TlsPolicy.Disabled || (!Capabilities.StartTls && _options.Tls == TlsPolicy.Opportunistic))
            {
                return await AuthenticateAsync().ConfigureAwait(false);
            }

            if (!Capabilities.StartTls)
            {
                return DeliveryOutcome.Session(OutcomeCause.TlsFailed, SessionPhase.StartTls, "4.7.4", "TLS is required for this destination but the peer does not offer STARTTLS");
            }

            _phase = SessionPhase.StartTls;
            await WriteLineAsync("STARTTLS").ConfigureAwait(false);
            await FlushAsync().ConfigureAwait(false);
            var ready = await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false);
            if (ready.Reply.Code != 220)
            {
                return _options.Tls is TlsPolicy.Required or TlsPolicy.Verified
                    ? DeliveryOutcome.Session(OutcomeCause.TlsFailed, SessionPhase.StartTls, "4.7.4", $"TLS is required but STARTTLS was refused: {ready.Reply}")
                    : await AuthenticateAsync().ConfigureAwait(false);
            }

            await StartTlsAsync(serverName, cancellationToken).ConfigureAwait(false);
            return await HelloAsync().ConfigureAwait(false) ?? await AuthenticateAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportError(ex))
        {
            IsUsable = false;
            return TransportFailure(ex, "Session setup with");
        }
    }

    /// <summary>
    /// AUTH PLAIN with an initial response (RFC 4954 §4, RFC 4616) when credentials are configured.
    /// Credentials never cross an unencrypted connection, and neither they nor the exchange are logged.
    /// </summary>
    private async Task<DeliveryOutcome?> AuthenticateAsync()
    {
        if (_options.Username is not { } user)
        {
            return null;
        }

        _phase = SessionPhase.Auth;
        if (!IsTls)
        {
            return DeliveryOutcome.Transient("4.7.0", "Credentials for this relay are only sent over TLS, and the session is not encrypted");
        }

        if (!Capabilities.AuthPlain)
        {
            return DeliveryOutcome.Transient("4.7.0", "The relay does not offer AUTH PLAIN");
        }

        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + user + "\0" + (_options.Password ?? string.Empty)));
        await WriteLineAsync("AUTH PLAIN " + token).ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
        var reply = (await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false)).Reply;

        // 235: authenticated. Anything else is the relay refusing us, not a verdict on a message.
        return reply.Code == 235 ? null : new DeliveryOutcome(DeliveryOutcomeKind.Transient, SmtpReply.Create(reply.Code is >= 400 and < 500 ? reply.Code : 451, "4.7.0", $"The relay refused authentication: {reply}"), OutcomeCause.PeerReply, SessionPhase.Auth);
    }

    private async Task<DeliveryOutcome?> HelloAsync()
    {
        _phase = SessionPhase.Hello;
        await WriteLineAsync("EHLO " + _options.HeloName).ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
        var ehlo = await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false);
        if (ehlo.Reply.Code == 250)
        {
            Capabilities = PeerCapabilities.FromEhlo(ehlo.Lines);
            return null;
        }

        // RFC 5321 §3.2: a server that does not know EHLO answers 5xx; fall back to HELO.
        await WriteLineAsync("HELO " + _options.HeloName).ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
        var helo = await ReadReplyAsync(_options.CommandTimeout).ConfigureAwait(false);
        if (helo.Reply.Code != 250)
        {
            return new DeliveryOutcome(DeliveryOutcomeKind.Transient, helo.Reply, OutcomeCause.PeerReply, SessionPhase.Hello);
        }

        Capabilities = PeerCapabilities.Helo;
        return null;
    }

    private async Task StartTlsAsync(string serverName, CancellationToken cancellationToken)
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _writer.CompleteAsync().ConfigureAwait(false);

        // Opportunistic and "encrypt"-level required TLS do not authenticate the peer (RFC 7435);
        // Verified (MTA-STS enforce, RFC 8461 §4.2) takes the platform's chain and name checks as they are.
#pragma warning disable CA5359 // Deliberate: SMTP between MTAs is opportunistic (RFC 7435); an unverified certificate still beats plaintext.
        var ssl = _options.Tls == TlsPolicy.Verified
            ? new SslStream(_stream, leaveInnerStreamOpen: false)
            : new SslStream(_stream, leaveInnerStreamOpen: false, static (_, _, _, _) => true);
#pragma warning restore CA5359
        _timeout.CancelAfter(_options.CommandTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_timeout.Token, cancellationToken);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = serverName }, linked.Token).ConfigureAwait(false);
        _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        _stream = ssl;
        (_reader, _writer) = Pipes(ssl);
        IsTls = true;
    }

    private ValueTask WriteLineAsync(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\r\n");
        _writer.Write(bytes);
        return ValueTask.CompletedTask;
    }

    private async ValueTask FlushAsync()
    {
        _timeout.CancelAfter(_options.CommandTimeout);
        await _writer.FlushAsync(_timeout.Token).ConfigureAwait(false);
        _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// After its 221 the server closes the channel (RFC 5321 §4.1.1.10: it closes once it has
    /// replied to QUIT). Waiting for that, briefly, means a peer that counts connections has
    /// counted this one out before a connection that replaces it arrives under the same limit.
    /// </summary>
    private async Task AwaitCloseAsync(TimeSpan timeout)
    {
        _timeout.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_timeout.Token).ConfigureAwait(false);
                _reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // A peer that keeps the channel open after 221: closed from this side.
        }
        finally
        {
            _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    private async Task<(SmtpReply Reply, IReadOnlyList<string> Lines)> ReadReplyAsync(TimeSpan timeout)
    {
        _timeout.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_timeout.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var reader = new SequenceReader<byte>(buffer);
                var status = SmtpReplyParser.TryParse(ref reader, out var reply, out var lines);
                if (status == ReplyParseStatus.Complete)
                {
                    _reader.AdvanceTo(reader.Position);
                    return (reply!, lines);
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (status == ReplyParseStatus.Malformed)
                {
                    throw new SmtpProtocolException("The peer sent something that is not an SMTP reply.");
                }

                if (result.IsCompleted)
                {
                    throw new IOException("The peer closed the connection.");
                }
            }
        }
        finally
        {
            _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }
}
