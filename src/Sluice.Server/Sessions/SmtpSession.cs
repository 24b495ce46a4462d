using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Sluice.Core.Messages;
using Sluice.Smtp;

namespace Sluice.Server.Sessions;

/// <summary>
/// One SMTP connection. The loop reads, lets the synchronous parser answer every complete
/// command in the buffer, then flushes once (RFC 2920 pipelining without a special case).
/// Only the message commit and STARTTLS leave the synchronous path.
/// </summary>
internal sealed partial class SmtpSession : IAsyncDisposable
{
    private readonly SmtpListenerContext _context;
    private readonly Socket? _socket;
    private readonly IPAddress _client;
    private static readonly TimeSpan AcknowledgementWait = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _timeout;
    private readonly MessageBuffer _message;
    private Stream _stream;
    private PipeReader _reader;
    private PipeWriter _writer;
    private SessionMode _mode = SessionMode.Command;
    private bool _pendingFlush;

    // Rented on first use: an idle session holds no buffer (see Scratch).
    private byte[]? _scratch;

    // Set while part of a command line is buffered: its deadline keeps running across reads.
    private bool _partialCommand;
    private DateTimeOffset _commandStarted;

    // The wait in progress, shared with TightenForStress (the accepting thread) under _waitLock:
    // when it started (a command line's start, or the data read's), its deadline (UTC ticks), and
    // whether it is on.
    private readonly Lock _waitLock = new();
    private long _waitStarted;
    private long _waitDeadline;
    private bool _waiting;
    private int _errors;
    private volatile bool _shutdownRequested;

    public SmtpSession(SmtpListenerContext context, Stream stream, IPEndPoint remote, Socket? socket)
    {
        ArgumentNullException.ThrowIfNull(remote);
        _context = context;
        _stream = stream;
        _socket = socket;
        _client = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        Remote = remote;

        // Read now: when the session ends the socket may already be disposed (a peer that reset
        // mid-transfer), and the end must still be reported with it (a sink's connection count).
        Local = socket?.LocalEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        _timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, context.Time);
        _message = new MessageBuffer(context.SpillDirectory);
        (_reader, _writer) = CreatePipes(stream);
    }

    public IPEndPoint Remote { get; }

    /// <summary>The listener this session came in on.</summary>
    public SmtpListenerContext Context => _context;

    public IPEndPoint Local { get; }

    /// <summary>Asks the session to end: idle sessions answer 421 4.3.2 now, a message in transfer is finished first.</summary>
    public void RequestShutdown()
    {
        _shutdownRequested = true;
        _reader.CancelPendingRead();
    }

    public async Task RunAsync()
    {
        var notifyBehavior = false;
        try
        {
            if (_context.Listener.ImplicitTls && !await UpgradeToTlsAsync().ConfigureAwait(false))
            {
                return;
            }

            if (_context.Behavior is { } behavior)
            {
                notifyBehavior = true;
                if (behavior.OnConnect(Remote, Local) is { } scripted)
                {
                    await CloseWithAsync(scripted, "scripted refusal").ConfigureAwait(false);
                    return;
                }
            }

            var talkedFirst = !_context.Listener.ImplicitTls && !_context.SkipsPregreetTest(_client) && await ClientTalkedFirstAsync().ConfigureAwait(false);
            Reply(_context.Greeting);
            if (talkedFirst)
            {
                // The greeting is finished (a multi-line reply left open would be malformed); what the
                // client sent early is answered with the refusal.
                await CloseWithAsync(SmtpReplies.EarlyTalker, "talked before the greeting").ConfigureAwait(false);
                return;
            }

            await FlushAsync().ConfigureAwait(false);
            await LoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or AuthenticationException)
        {
            // The peer went away or broke the transport; nothing acknowledged depends on this session any more.
            ServerLog.SessionClosed(_context.Logger, _client, ex.GetType().Name);
        }
        finally
        {
            if (notifyBehavior)
            {
                _context.Behavior!.OnDisconnect(Remote, Local);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _reader.CompleteAsync().ConfigureAwait(false);

            // Completing the writer flushes what is buffered; the peer may be gone already.
            await _writer.CompleteAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException)
        {
            ServerLog.SessionClosed(_context.Logger, _client, "transport closed uncleanly: " + ex.GetType().Name);
        }
        finally
        {
            _timeout.Dispose();
            _message.Dispose();
            if (_scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }
        }
    }

    /// <summary>Decoding and command scratch space, rented when a session first needs it.</summary>
    private byte[] Scratch => _scratch ??= ArrayPool<byte>.Shared.Rent(16 * 1024);

    /// <summary>
    /// Under stress, shortens the wait in progress to <see cref="Configuration.SmtpLimits.StressTimeout"/>
    /// counted from its start (Postfix's stress mode applies to sessions already open too). Called from
    /// another thread; a wait that ends meanwhile re-arms from the stressed limits itself.
    /// </summary>
    public void TightenForStress()
    {
        lock (_waitLock)
        {
            var due = _waitStarted + _context.Limits.StressTimeout.Ticks;
            if (_waiting && due < _waitDeadline)
            {
                _waitDeadline = due;
                var left = TimeSpan.FromTicks(due - _context.Time.GetUtcNow().UtcTicks);
                _timeout.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1));
            }
        }
    }

    // Zero-byte reads: a session waiting for its client holds no read buffer, so idle connections
    // cost little more than their socket (tens of thousands can wait at once).
    private static (PipeReader Reader, PipeWriter Writer) CreatePipes(Stream stream)
        => (PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true, useZeroByteReads: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)));

    private async Task LoopAsync()
    {
        while (true)
        {
            ReadResult result;
            ArmReadTimeout();
            try
            {
                result = await _reader.ReadAsync(_timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await CloseWithAsync(SmtpReplies.Timeout, "timeout").ConfigureAwait(false);
                return;
            }

            // Disarm; if the timer fired between the read completing and now, the session has timed out anyway.
            DisarmReadTimeout();
            if (_timeout.IsCancellationRequested)
            {
                await CloseWithAsync(SmtpReplies.Timeout, "timeout").ConfigureAwait(false);
                return;
            }

            if (_shutdownRequested && IsIdle)
            {
                _reader.AdvanceTo(result.Buffer.Start, result.Buffer.Start);
                await CloseWithAsync(SmtpReplies.ShuttingDown, "node shutting down").ConfigureAwait(false);
                return;
            }

            var buffer = result.Buffer;
            var step = SessionStep.NeedMore;
            try
            {
                while (true)
                {
                    step = Process(ref buffer);
                    if (step == SessionStep.VerifyAuth)
                    {
                        await VerifyPendingAuthAsync().ConfigureAwait(false);
                        continue;
                    }

                    if (step != SessionStep.CommitMessage)
                    {
                        break;
                    }

                    await CommitMessageAsync().ConfigureAwait(false);
                    if (_shutdownRequested)
                    {
                        step = SessionStep.Close;
                        Reply(SmtpReplies.ShuttingDown);
                        break;
                    }
                }

                if (step == SessionStep.StartTls)
                {
                    // CVE-2011-0411: anything pipelined after STARTTLS arrived in plaintext and is discarded.
                    buffer = buffer.Slice(buffer.End);
                }
            }
            finally
            {
                _reader.AdvanceTo(buffer.Start, buffer.End);
                _partialCommand = _mode is not (SessionMode.Data or SessionMode.Bdat) && !buffer.IsEmpty;
            }

            if (step == SessionStep.NeedMore && _mode is SessionMode.Data or SessionMode.Bdat && DataTooSlow())
            {
                await CloseWithAsync(SmtpReplies.DataTooSlow, "data rate too low").ConfigureAwait(false);
                return;
            }

            // Arm the next read's timeout before the replies go out: once a client has seen a reply,
            // the clock for its next command is already running (a fake clock in tests relies on it).
            ArmReadTimeout();
            await FlushAsync().ConfigureAwait(false);
            switch (step)
            {
                case SessionStep.Close:
                    return;
                case SessionStep.Drop:
                    ServerLog.SessionClosed(_context.Logger, _client, "closed without a reply");
                    return;
                case SessionStep.StartTls:
                    if (!await UpgradeToTlsAsync().ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
            }

            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private bool IsIdle => _mode is SessionMode.Command or SessionMode.DiscardLine;

    /// <summary>
    /// Content has its idle timeout per read (and a minimum rate). A command line has a deadline:
    /// from the moment the session waits for it until its CRLF, however its bytes trickle in, so a
    /// client dripping a byte now and then cannot hold the session (Postfix's per-record deadline).
    /// Under stress both are <see cref="Configuration.SmtpLimits.StressTimeout"/> at most.
    /// </summary>
    private void ArmReadTimeout()
    {
        var now = _context.Time.GetUtcNow();
        DateTimeOffset started;
        TimeSpan limit;
        if (_mode is SessionMode.Data or SessionMode.Bdat)
        {
            started = now;
            limit = _context.Limits.DataTimeout;
        }
        else
        {
            if (!_partialCommand)
            {
                _commandStarted = now;
            }

            // Between messages the session holds no scratch buffer: an idle connection stays cheap.
            if (_scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = null;
            }

            started = _commandStarted;
            limit = _context.Limits.CommandTimeout;
        }

        var left = started + limit - now;
        lock (_waitLock)
        {
            // Read under the lock: a stress that began before it is seen here, one that begins
            // after it finds this wait on and tightens it (TightenForStress).
            if (_context.UnderStress && _context.Limits.StressTimeout < limit)
            {
                left = started + _context.Limits.StressTimeout - now;
            }

            _waitStarted = started.UtcTicks;
            _waitDeadline = (now + left).UtcTicks;
            _waiting = true;
            _timeout.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1));
        }
    }

    private void DisarmReadTimeout()
    {
        lock (_waitLock)
        {
            _waiting = false;
            _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The pre-greet test (Postfix postscreen's): the greeting's first line, "220-", goes out; the
    /// session waits until the client's TCP has acknowledged it (one round trip, no client code
    /// involved) and any <see cref="Configuration.SmtpLimits.GreetingDelay"/> has passed; only then
    /// does the final "220 " line follow. A client that obeys RFC 5321 §4.2.1 (a multi-line reply
    /// ends at the line without a hyphen) has nothing to say yet. Bytes a client sent before it
    /// received the first line travel ahead of that line's acknowledgement, so whatever is waiting
    /// by then was sent early: the test does not race the client's bytes, even without a delay.
    /// </summary>
    private async Task<bool> ClientTalkedFirstAsync()
    {
        if (_socket is null)
        {
            return false;
        }

        _writer.Write(_context.GreetingOpening.Span);
        await _writer.FlushAsync().ConfigureAwait(false);
        await WaitForAcknowledgementAsync(_socket).ConfigureAwait(false);
        if (_context.Limits.GreetingDelay > TimeSpan.Zero && _socket.Available == 0)
        {
            await Task.Delay(_context.Limits.GreetingDelay, _context.Time).ConfigureAwait(false);
        }

        return _socket.Available > 0;
    }

    /// <summary>
    /// Until the peer has acknowledged everything sent, data from it is waiting, or
    /// <see cref="AcknowledgementWait"/> has passed (a peer delaying its ACKs costs at most that).
    /// On loopback the ACK comes within microseconds, so the first turns only yield; then the
    /// check runs once a millisecond. The wait is for a packet, so it runs on the real clock.
    /// </summary>
    private static async Task WaitForAcknowledgementAsync(Socket socket)
    {
        var started = TimeProvider.System.GetTimestamp();
        for (var turn = 0; ; turn++)
        {
            if (socket.Available > 0 || !Core.Net.TcpInfo.TryGetUnacked(socket, out var unacked) || unacked == 0
                || TimeProvider.System.GetElapsedTime(started) > AcknowledgementWait)
            {
                return;
            }

            if (turn < 32)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> UpgradeToTlsAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _writer.CompleteAsync().ConfigureAwait(false);
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        _timeout.CancelAfter(_context.UnderStress && _context.Limits.StressTimeout < _context.Limits.CommandTimeout ? _context.Limits.StressTimeout : _context.Limits.CommandTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions { ServerCertificate = _context.Certificate, ClientCertificateRequired = false },
                _timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            ServerLog.TlsFailed(_context.Logger, _client, ex);
            await ssl.DisposeAsync().ConfigureAwait(false);
            _stream = Stream.Null;
            (_reader, _writer) = CreatePipes(_stream);
            return false;
        }

        _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        _stream = ssl;
        (_reader, _writer) = CreatePipes(ssl);

        // RFC 3207 §4.2: after TLS starts the server forgets everything the client said before.
        _tlsActive = true;
        _helo = null;
        _authenticatedUser = null;
        ResetTransaction();
        _mode = SessionMode.Command;
        return true;
    }

    private void Reply(SmtpReply reply)
    {
        reply.WriteTo(_writer);
        _pendingFlush = true;
        Replied(reply);
    }

    /// <summary>Counts a reply that went out (written here, or sent by the spool's writer thread: <see cref="DurableReply"/>).</summary>
    private void Replied(SmtpReply reply)
    {
        _context.Metrics.Replies.Add(1, new KeyValuePair<string, object?>("class", ReplyClass(reply.Class)));
        if (reply.Code >= 500)
        {
            _errors++;
        }
    }

    private async ValueTask FlushAsync()
    {
        if (_pendingFlush)
        {
            _pendingFlush = false;
            if (_context.Behavior is { Latency: var latency } && latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, _context.Time).ConfigureAwait(false);
            }

            await _writer.FlushAsync().ConfigureAwait(false);
        }
    }

    private async Task CloseWithAsync(SmtpReply reply, string reason)
    {
        ServerLog.SessionClosed(_context.Logger, _client, reason);
        Reply(reply);
        await FlushAsync().ConfigureAwait(false);
    }

    private static string ReplyClass(int digit) => digit switch
    {
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    };
}
