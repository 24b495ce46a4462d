using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Sink;
using Sluice.Smtp;

namespace Sluice.Commands;

/// <summary>
/// <c>sluice sink</c>: a capture SMTP server for tests, benchmarks and staging. It accepts, counts
/// and optionally stores mail, and can be scripted to defer, reject, drop, delay, refuse
/// connections with 421, hide extensions and complain (ARF) about what it accepted.
/// </summary>
internal static class SinkCommand
{
    public static Command Create()
    {
        var listen = new Option<string[]>("--listen") { Description = "SMTP ADDRESS:PORT to listen on (repeatable; default 127.0.0.1:2526)." };
        var http = new Option<string?>("--http") { Description = "ADDRESS:PORT for GET /stats (JSON counters)." };
        var store = new Option<string?>("--store") { Description = "Folder: messages in new/ (Maildir-style), envelopes/, connections.jsonl. Without it the sink only counts." };
        var hostname = new Option<string>("--hostname") { Description = "Name in the greeting and EHLO reply.", DefaultValueFactory = _ => "sink.sluice.test" };
        var rcptReject = Percent("--rcpt-reject", "Percent of recipients refused permanently.");
        var rcptRejectReply = Reply("--rcpt-reject-reply", "550 5.1.1 No such user (sink)");
        var rcptDefer = Percent("--rcpt-defer", "Percent of recipients refused temporarily.");
        var rcptDeferReply = Reply("--rcpt-defer-reply", "450 4.2.1 Mailbox busy, try later (sink)");
        var dataReject = Percent("--data-reject", "Percent of messages refused permanently at the end of DATA.");
        var dataRejectReply = Reply("--data-reject-reply", "554 5.7.1 Message rejected (sink)");
        var dataDefer = Percent("--data-defer", "Percent of messages refused temporarily at the end of DATA.");
        var dataDeferReply = Reply("--data-defer-reply", "451 4.7.1 Try again later (sink)");
        var drop = Percent("--drop", "Percent of messages after which the connection is dropped without a reply.");
        var connectRefuse = Percent("--connect-refuse", "Percent of connections answered with --connect-refuse-reply and closed (a 421 storm at 100).");
        var connectRefuseReply = Reply("--connect-refuse-reply", "421 4.7.0 Too busy, try later (sink)");
        var latency = new Option<int>("--latency") { Description = "Milliseconds added before every batch of replies." };
        var hide = new Option<string[]>("--hide") { Description = "EHLO extension to hide and refuse (repeatable): PIPELINING, STARTTLS, CHUNKING, 8BITMIME, SMTPUTF8, DSN, SIZE, AUTH, ENHANCEDSTATUSCODES." };
        var seed = new Option<int?>("--seed") { Description = "Seed for the random decisions (repeatable runs)." };
        var complain = Percent("--complain", "Percent of accepted messages complained about: an ARF report (RFC 5965) per recipient sent to --feedback-to.");
        var feedbackTo = new Option<string?>("--feedback-to") { Description = "ADDRESS:PORT of the SMTP server complaints go to (the sender's Feedback listener)." };
        var feedbackAddress = new Option<string>("--feedback-address") { Description = "Recipient of the complaints.", DefaultValueFactory = _ => "fbl@feedback.test" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate for STARTTLS (with --tls-key); default a self-signed one." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert." };
        var maxSize = new Option<long>("--max-size") { Description = "Largest message in octets, advertised with SIZE (default 1 GiB).", DefaultValueFactory = _ => 1L << 30 };

        var command = new Command("sink", "Run a capture SMTP server with scripted behaviour (tests, benchmarks, staging).")
        {
            listen, http, store, hostname, rcptReject, rcptRejectReply, rcptDefer, rcptDeferReply, dataReject, dataRejectReply,
            dataDefer, dataDeferReply, drop, connectRefuse, connectRefuseReply, latency, hide, seed, maxSize, complain, feedbackTo, feedbackAddress, tlsCert, tlsKey,
        };

        command.SetAction(async (parse, ct) =>
        {
            var errors = new List<string>();
            var settings = new SinkSettings
            {
                Listen = parse.GetValue(listen) is { Length: > 0 } l ? l : ["127.0.0.1:2526"],
                Http = parse.GetValue(http),
                Store = parse.GetValue(store) is { } s ? Path.GetFullPath(s) : null,
                Hostname = parse.GetValue(hostname)!,
                RcptRejectPercent = parse.GetValue(rcptReject),
                RcptRejectReply = ParseReply(parse.GetValue(rcptRejectReply)!, "--rcpt-reject-reply", 5, errors),
                RcptDeferPercent = parse.GetValue(rcptDefer),
                RcptDeferReply = ParseReply(parse.GetValue(rcptDeferReply)!, "--rcpt-defer-reply", 4, errors),
                DataRejectPercent = parse.GetValue(dataReject),
                DataRejectReply = ParseReply(parse.GetValue(dataRejectReply)!, "--data-reject-reply", 5, errors),
                DataDeferPercent = parse.GetValue(dataDefer),
                DataDeferReply = ParseReply(parse.GetValue(dataDeferReply)!, "--data-defer-reply", 4, errors),
                DropPercent = parse.GetValue(drop),
                ConnectRefusePercent = parse.GetValue(connectRefuse),
                ConnectRefuseReply = ParseReply(parse.GetValue(connectRefuseReply)!, "--connect-refuse-reply", 4, errors),
                Latency = TimeSpan.FromMilliseconds(parse.GetValue(latency)),
                Hidden = new HashSet<string>(parse.GetValue(hide) ?? [], StringComparer.OrdinalIgnoreCase),
                Seed = parse.GetValue(seed),
                MaxSize = parse.GetValue(maxSize),
                ComplainPercent = parse.GetValue(complain),
                FeedbackTo = parse.GetValue(feedbackTo) is { } to && System.Net.IPEndPoint.TryParse(to, out var endpoint) && to.Contains(':', StringComparison.Ordinal) ? endpoint : null,
                FeedbackAddress = parse.GetValue(feedbackAddress)!,
                TlsCertificate = parse.GetValue(tlsCert) is { } cert ? Path.GetFullPath(cert) : null,
                TlsKey = parse.GetValue(tlsKey) is { } key ? Path.GetFullPath(key) : null,
            };
            if ((settings.TlsCertificate is null) != (settings.TlsKey is null))
            {
                errors.Add("--tls-cert and --tls-key go together");
            }
            if (parse.GetValue(feedbackTo) is { } target && settings.FeedbackTo is null)
            {
                errors.Add($"--feedback-to: '{target}' is not ADDRESS:PORT");
            }

            if (settings.ComplainPercent > 0 && settings.FeedbackTo is null)
            {
                errors.Add("--complain: needs --feedback-to (where the complaints go)");
            }
            if (settings.MaxSize < 1024)
            {
                errors.Add("--max-size: at least 1024 octets");
            }

            foreach (var address in settings.Listen.Append(settings.Http ?? "127.0.0.1:0"))
            {
                if (!System.Net.IPEndPoint.TryParse(address, out _) || !address.Contains(':', StringComparison.Ordinal))
                {
                    errors.Add($"'{address}' is not ADDRESS:PORT");
                }
            }

            if (errors.Count > 0)
            {
                await Console.Error.WriteLineAsync("Invalid sink options:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)));
                return 2;
            }

            var dataDirectory = settings.Store ?? Path.Combine(Path.GetTempPath(), "sluice-sink-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            await using var app = SinkHost.Build(settings, dataDirectory);
            var stats = app.Services.GetRequiredService<SinkStats>();
            try
            {
                await app.StartAsync(ct);
            }
            catch (Exception ex) when (StartupFailure.IsOperatorProblem(ex))
            {
                await Console.Error.WriteLineAsync(StartupFailure.Describe(ex));
                return 2;
            }

            // Say where it listens (ports chosen by the system included), so a person or a script knows where to send.
            var smtp = string.Join(", ", app.Services.GetRequiredService<Server.Hosting.SmtpServer>().BoundEndpoints);
            Console.WriteLine($"sluice sink listening: SMTP {smtp}; HTTP {string.Join(", ", app.Urls)}; store {settings.Store ?? "(none: counting only)"}");
            await app.WaitForShutdownAsync(CancellationToken.None);
            Console.WriteLine(JsonSerializer.Serialize(stats.Snapshot()));
            return 0;
        });
        return command;
    }

    private static Option<double> Percent(string name, string description) => new(name)
    {
        Description = description,
        Validators =
        {
            r =>
            {
                if (r.GetValueOrDefault<double>() is < 0 or > 100)
                {
                    r.AddError($"{name}: a percentage from 0 to 100");
                }
            },
        },
    };

    private static Option<string> Reply(string name, string fallback) => new(name)
    {
        Description = $"Reply to use, as 'CODE X.Y.Z text' (default '{fallback}').",
        DefaultValueFactory = _ => fallback,
    };

    private static SmtpReply ParseReply(string text, string option, int expectedClass, List<string> errors)
    {
        if (SmtpReply.TryParse(text, out var reply) && reply!.Class == expectedClass)
        {
            return reply;
        }

        errors.Add($"{option}: '{text}' is not a {expectedClass}xx reply ('CODE X.Y.Z text')");
        return SmtpReply.Create(expectedClass * 100 + 51, $"{expectedClass}.0.0", "sink");
    }
}
