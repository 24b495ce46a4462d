using Sluice.Smtp;

namespace Sluice.Sink;

/// <summary>What a <c>sluice sink</c> run was told to do. Percentages are 0–100.</summary>
internal sealed record SinkSettings
{
    public IReadOnlyList<string> Listen { get; init; } = ["127.0.0.1:2526"];

    public string? Http { get; init; }

    /// <summary>Maildir-style folder for messages (<c>new/</c>), envelopes and the connection log; null counts only.</summary>
    public string? Store { get; init; }

    public string Hostname { get; init; } = "sink.sluice.test";

    public double RcptRejectPercent { get; init; }

    public SmtpReply RcptRejectReply { get; init; } = SmtpReply.Create(550, "5.1.1", "No such user (sink)");

    public double RcptDeferPercent { get; init; }

    public SmtpReply RcptDeferReply { get; init; } = SmtpReply.Create(450, "4.2.1", "Mailbox busy, try later (sink)");

    public double DataRejectPercent { get; init; }

    public SmtpReply DataRejectReply { get; init; } = SmtpReply.Create(554, "5.7.1", "Message rejected (sink)");

    public double DataDeferPercent { get; init; }

    public SmtpReply DataDeferReply { get; init; } = SmtpReply.Create(451, "4.7.1", "Try again later (sink)");

    /// <summary>Hang up at the end of DATA without any reply.</summary>
    public double DropPercent { get; init; }

    /// <summary>Answer the connection with this reply instead of the greeting, then close.</summary>
    public double ConnectRefusePercent { get; init; }

    public SmtpReply ConnectRefuseReply { get; init; } = SmtpReply.Create(421, "4.7.0", "Too busy, try later (sink)");

    public TimeSpan Latency { get; init; }

    public IReadOnlySet<string> Hidden { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public int? Seed { get; init; }

    /// <summary>Percent of accepted messages complained about (an ARF report per recipient sent to <see cref="FeedbackTo"/>).</summary>
    public double ComplainPercent { get; init; }

    /// <summary>The SMTP server complaints go to (the sender's Feedback listener); null sends none.</summary>
    public System.Net.IPEndPoint? FeedbackTo { get; init; }

    public string FeedbackAddress { get; init; } = "fbl@feedback.test";

    /// <summary>PEM certificate and key for STARTTLS (a peer that must pass certificate checks); none: self-signed.</summary>
    public string? TlsCertificate { get; init; }

    public string? TlsKey { get; init; }

    /// <summary>Largest message accepted and advertised with SIZE.</summary>
    public long MaxSize { get; init; } = 1L << 30;
}
