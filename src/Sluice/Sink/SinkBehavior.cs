using System.Globalization;
using System.Net;
using System.Text.Json;
using Sluice.Server.Sessions;
using Sluice.Smtp;

namespace Sluice.Sink;

/// <summary>
/// The sink's scripted behaviour: each decision draws from one seeded random source, so a run
/// with <c>--seed</c> and one client is repeatable. Connections are written to
/// <c>connections.jsonl</c> in the store with the number open at that moment (to watch a sender's
/// slow start and back-off).
/// </summary>
internal sealed class SinkBehavior : ISessionBehavior, IDisposable
{
    private readonly SinkSettings _settings;
    private readonly SinkStats _stats;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private readonly StreamWriter? _connectionLog;

    public SinkBehavior(SinkSettings settings, SinkStats stats, TimeProvider time)
    {
        _settings = settings;
        _stats = stats;
        _time = time;
        _random = settings.Seed is { } seed ? new Random(seed) : new Random();
        if (settings.Store is not null)
        {
            Directory.CreateDirectory(settings.Store);
            _connectionLog = new StreamWriter(Path.Combine(settings.Store, "connections.jsonl"), append: true) { AutoFlush = true };
        }
    }

    public TimeSpan Latency => _settings.Latency;

    public SmtpReply? OnConnect(IPEndPoint remote, IPEndPoint local)
    {
        var open = _stats.Opened();
        Log("open", remote, local, open);
        if (Draw(_settings.ConnectRefusePercent))
        {
            _stats.ConnectionRefused();
            return _settings.ConnectRefuseReply;
        }

        return null;
    }

    public void OnDisconnect(IPEndPoint remote, IPEndPoint local) => Log("close", remote, local, _stats.Closed());

    public bool Hides(string extension) => _settings.Hidden.Contains(extension);

    public SmtpReply? OnRecipient(string address)
    {
        SmtpReply? reply = Draw(_settings.RcptRejectPercent) ? _settings.RcptRejectReply
            : Draw(_settings.RcptDeferPercent) ? _settings.RcptDeferReply
            : null;
        if (reply is not null)
        {
            _stats.RecipientRefused();
        }

        return reply;
    }

    public MessageVerdict OnMessage()
    {
        if (Draw(_settings.DropPercent))
        {
            _stats.MessageDropped();
            return new MessageVerdict(MessageVerdictKind.Drop);
        }

        var reply = Draw(_settings.DataRejectPercent) ? _settings.DataRejectReply
            : Draw(_settings.DataDeferPercent) ? _settings.DataDeferReply
            : null;
        if (reply is null)
        {
            return MessageVerdict.Accept;
        }

        _stats.MessageRefused();
        return new MessageVerdict(MessageVerdictKind.Refuse, reply);
    }

    public void Dispose() => _connectionLog?.Dispose();

    private bool Draw(double percent)
    {
        if (percent <= 0)
        {
            return false;
        }

        lock (_lock)
        {
            return _random.NextDouble() * 100 < percent;
        }
    }

    private void Log(string kind, IPEndPoint remote, IPEndPoint local, long open)
    {
        if (_connectionLog is null)
        {
            return;
        }

        var line = JsonSerializer.Serialize(new
        {
            time = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
            @event = kind,
            remote = remote.ToString(),
            local = local.ToString(),
            open,
        });
        lock (_lock)
        {
            _connectionLog.WriteLine(line);
        }
    }
}
