using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Core.Messages;
using Sluice.Core.Intake;
using Sluice.Core.Telemetry;
using Sluice.Server.Auth;
using Sluice.Server.Configuration;
using Sluice.Server.Sessions;
using Sluice.Server.Tls;

namespace Sluice.Server.Hosting;

/// <summary>
/// Binds every configured listener and runs one <see cref="SmtpSession"/> per connection.
/// Stopping closes the listening sockets first, then asks sessions to finish: idle ones get
/// 421 4.3.2 at once, ones receiving a message finish it (and its spool write) first.
/// </summary>
public sealed class SmtpServer : IHostedService, IAsyncDisposable
{
    private readonly SmtpServerOptions _options;
    private readonly string _dataDirectory;
    private readonly IMessageIntake _queue;
    private readonly SluiceMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<SmtpSession, Task> _sessions = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ISessionBehavior? _behavior;
    private readonly IMessageIntake? _feedback;
    private readonly LogGate<AdmissionRefusal> _refusals;
    private X509Certificate2? _certificate;
    private UserDirectory? _users;

    /// <param name="feedback">What Feedback listeners hand their messages to (reports are read, not queued); required when one is configured.</param>
    public SmtpServer(SmtpServerOptions options, string dataDirectory, IMessageIntake queue, SluiceMetrics metrics, TimeProvider time, ILogger<SmtpServer> logger, ISessionBehavior? behavior = null, IMessageIntake? feedback = null)
    {
        _behavior = behavior;
        _feedback = feedback;
        _options = options;
        _dataDirectory = dataDirectory;
        _queue = queue;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _refusals = new LogGate<AdmissionRefusal>(time, TimeSpan.FromMinutes(1));
    }

    /// <summary>Where each listener actually listens (port 0 resolved), in configuration order.</summary>
    public IReadOnlyList<IPEndPoint> BoundEndpoints { get; private set; } = [];

    /// <summary>Sessions running now, on all listeners.</summary>
    public int OpenSessions => _sessions.Count;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var hostname = _options.Hostname ?? Dns.GetHostName();
        _certificate = ServerCertificateProvider.Load(_options.Tls, _dataDirectory, hostname, _time, _logger);
        // One verifier thread: PBKDF2 takes at most one core however hard someone guesses.
        var users = new UserDirectory(_options.Auth.Users, new PasswordVerifier(threads: 1, _options.Auth.MaxPendingVerifications));
        _users = users;
        var authLimiter = new AuthFailureLimiter(_time, _options.Auth.MaxFailures, _options.Auth.MaxFailuresPerUser, _options.Auth.FailureWindow);
        var ids = new MessageIdGenerator(_time);
        var spill = Path.Combine(_dataDirectory, "tmp");
        var bound = new List<IPEndPoint>();
        foreach (var listener in _options.Listeners)
        {
            var socket = Core.Net.TcpListeners.Listen(IPEndPoint.Parse(listener.Address));
            _listeners.Add(socket);
            bound.Add((IPEndPoint)socket.LocalEndPoint!);
            var intake = listener.Role == ListenerRole.Feedback
                ? _feedback ?? throw new InvalidOperationException("A Feedback listener needs a feedback intake; this host has none.")
                : _queue;
            var context = new SmtpListenerContext(listener, hostname, intake, ids, _metrics, _time, _logger, _certificate, users, authLimiter, spill, _behavior);
            ServerLog.Listening(_logger, listener.Name, listener.Role, socket.LocalEndPoint!);
            _acceptLoops.Add(Task.Run(
                () => Core.Net.TcpListeners.AcceptAsync(
                    socket,
                    client => _ = Task.Run(() => RunConnectionAsync(client, context, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)), CancellationToken.None),
                    _stopping.Token,
                    _time),
                CancellationToken.None));
        }

        BoundEndpoints = bound;
        WarnIfFileLimitTooLow();
        return Task.CompletedTask;
    }

    /// <summary>Each connection takes a file descriptor; the spool, logs and delivery need some more.</summary>
    private void WarnIfFileLimitTooLow()
    {
        long connections = 0;
        foreach (var listener in _options.Listeners)
        {
            connections += listener.Limits.MaxConnections;
        }

        if (Core.Net.FileDescriptorLimit.Current() is { } limit && connections + 1024 > limit)
        {
            ServerLog.FileLimitTooLow(_logger, limit, connections);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var socket in _listeners)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);

        // Password checks still waiting are answered "try later" rather than run: sessions can end.
        _users?.Dispose();
        ServerLog.Stopping(_logger, _sessions.Count);
        foreach (var session in _sessions.Keys)
        {
            session.RequestShutdown();
        }

        try
        {
            await Task.WhenAll(_sessions.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out; sessions still open had not acknowledged anything pending.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _certificate?.Dispose();
        _stopping.Dispose();
    }

    private async Task RunConnectionAsync(Socket socket, SmtpListenerContext context, TaskCompletionSource done)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (context.ProxyTrustedNetworks.Count > 0 && context.IsTrustedProxy(remote.Address))
        {
            // A balancer in front: the client is the one its PROXY header names (LOCAL: the balancer itself, e.g. a probe).
            if (await ProxyHeaderReader.ReadAsync(socket, _time).ConfigureAwait(false) is not var (header, rest))
            {
                LogRefused(AdmissionRefusal.ProxyHeader, remote.Address);
                await stream.DisposeAsync().ConfigureAwait(false);
                return;
            }

            remote = header.Source ?? remote;
            if (!rest.IsEmpty)
            {
                stream = new PrefixedStream(rest, stream);
            }
        }

        var client = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        var limits = context.Limits;
        var exempt = !limits.LimitTrustedClients && context.IsTrusted(client);
        var refused = context.Connections.TryAdmit(client, limits.MaxConnections, limits.MaxConnectionsPerClient, context.StressAt, exempt);
        if (refused is { } limit)
        {
            await RefuseAsync(socket, client, limit).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            return;
        }

        if (context.Connections.EnterStress(context.StressAt))
        {
            EnterStress(context);
        }

        _metrics.ConnectionsTotal.Add(1);
        _metrics.ConnectionsCurrent.Add(1);
        ServerLog.Connected(_logger, remote, context.Listener.Name);
        var session = new SmtpSession(context, stream, remote, socket);
        _sessions[session] = done.Task;
        try
        {
            if (_stopping.IsCancellationRequested)
            {
                session.RequestShutdown();
            }

            await session.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ServerLog.SessionFailed(_logger, client, ex);
        }
        finally
        {
            try
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                // Always account for the session, even if tearing down its transport failed:
                // a stop waits for exactly these.
                context.Connections.Release(client);
                if (context.Connections.LeaveStress(context.StressAt))
                {
                    _metrics.ListenersStressed.Add(-1);
                    ServerLog.StressLeft(_logger, context.Listener.Name, context.Connections.Total);
                }

                _metrics.ConnectionsCurrent.Add(-1);
                _sessions.TryRemove(session, out _);
                done.TrySetResult();
            }
        }
    }

    /// <summary>
    /// The listener passed its high-water mark: sessions already waiting get the stress timeout
    /// too (new waits take it from <see cref="SmtpListenerContext.UnderStress"/> themselves).
    /// </summary>
    private void EnterStress(SmtpListenerContext context)
    {
        _metrics.ListenersStressed.Add(1);
        ServerLog.StressEntered(_logger, context.Listener.Name, context.Connections.Total, context.StressAt, context.Limits.StressTimeout);
        foreach (var session in _sessions.Keys)
        {
            if (session.Context == context)
            {
                session.TightenForStress();
            }
        }
    }

    private void LogRefused(AdmissionRefusal cause, IPAddress client)
    {
        if (_refusals.ShouldLog(cause, out var unlogged))
        {
            ServerLog.ConnectionsRefused(_logger, cause, client, unlogged);
        }
    }

    private async Task RefuseAsync(Socket socket, IPAddress client, AdmissionRefusal limit)
    {
        _metrics.ConnectionsRefused.Add(1, new KeyValuePair<string, object?>("limit", limit switch
        {
            AdmissionRefusal.Total => "total",
            AdmissionRefusal.PerClient => "per-client",
            _ => "fair-share",
        }));
        LogRefused(limit, client);
        var reply = limit == AdmissionRefusal.Total ? SmtpReplies.TooManyConnections : SmtpReplies.TooManyConnectionsFromYou;
        try
        {
            await socket.SendAsync(reply.Wire.ToArray(), SocketFlags.None).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The client is gone already.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
