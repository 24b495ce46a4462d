using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MimeKit;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Delivery.Dns;

namespace Sluice.Delivery.TlsReporting;

/// <summary>
/// Sends the SMTP TLS reports (RFC 8460): once a UTC day (and on demand, <c>POST
/// /api/v1/delivery/tls-reports</c>), each domain with sessions counted that publishes a
/// <c>_smtp._tls</c> TXT record (<c>v=TLSRPTv1; rua=…</c>) gets its report, gzipped JSON — by mail
/// to each <c>mailto:</c> address (queued here like any message, from the null sender so that it
/// never bounces back) and by POST to each <c>https:</c> address.
/// </summary>
public sealed partial class TlsReportSender(
    TlsReportLedger ledger,
    MxResolver dns,
    IMessageQueue queue,
    MessageIdGenerator ids,
    TlsReportingOptions options,
    string hostname,
    TimeProvider time,
    ILogger<TlsReportSender> logger,
    Core.Events.DeliveryEventLog? events = null) : BackgroundService
{
    private readonly HttpClient _http = NodeDnsHttp.Create(dns, TimeSpan.FromSeconds(30), 64 * 1024);
    private DateOnly _day = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private string Organization => options.OrganizationName ?? hostname;

    /// <summary>Makes and sends the reports for everything counted since the last ones; returns where each went.</summary>
    public async Task<List<(string Domain, string Destination, bool Sent)>> SendAsync(CancellationToken cancellationToken)
    {
        var (since, until, domains) = ledger.Take();
        var sent = new List<(string, string, bool)>();
        foreach (var report in domains)
        {
            if (report.Successful + report.Failed == 0 || Destinations((await dns.TxtAsync("_smtp._tls." + report.Domain, cancellationToken).ConfigureAwait(false))?.Texts) is not { Count: > 0 } destinations)
            {
                continue;
            }

            var reportId = string.Create(CultureInfo.InvariantCulture, $"{TlsReport.Stamp(since)}_{report.Domain}_{hostname}");
            var gzipped = TlsReport.Gzip(TlsReport.Json(report, Organization, options.ContactInfo, reportId, since, until));
            var fileName = string.Create(CultureInfo.InvariantCulture, $"{Organization}!{report.Domain}!{since.ToUnixTimeSeconds()}!{until.ToUnixTimeSeconds()}.json.gz");
            foreach (var destination in destinations)
            {
                var ok = destination.Scheme == "mailto"
                    ? await MailAsync(Uri.UnescapeDataString(destination.OriginalString["mailto:".Length..].Split('?')[0]), report.Domain, reportId, fileName, gzipped, cancellationToken).ConfigureAwait(false)
                    : await PostAsync(destination, gzipped, cancellationToken).ConfigureAwait(false);
                ReportSent(logger, report.Domain, destination, ok);
                sent.Add((report.Domain, destination.ToString(), ok));
            }
        }

        return sent;
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            if (today == _day)
            {
                continue;
            }

            _day = today;
            try
            {
                await SendAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
            {
                ReportsFailed(logger, ex);
            }
        }
    }

    /// <summary>The mailto: and https: addresses of the one v=TLSRPTv1 record (RFC 8460 §3).</summary>
    private static List<Uri>? Destinations(IReadOnlyList<string>? texts)
    {
        foreach (var text in texts ?? [])
        {
            if (!text.StartsWith("v=TLSRPTv1", StringComparison.Ordinal))
            {
                continue;
            }

            var uris = new List<Uri>();
            foreach (var field in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!field.StartsWith("rua=", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var value in field[4..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "mailto" or "https")
                    {
                        uris.Add(uri);
                    }
                }
            }

            return uris;
        }

        return null;
    }

    private async Task<bool> MailAsync(string address, string domain, string reportId, string fileName, byte[] gzipped, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From ?? "tlsrpt-noreply@" + hostname));
        message.To.Add(MailboxAddress.Parse(address));
        message.Subject = $"Report Domain: {domain} Submitter: {Organization} Report-ID: <{reportId}>";
        message.Headers.Add("TLS-Report-Domain", domain);
        message.Headers.Add("TLS-Report-Submitter", Organization);
        message.Body = new MultipartReport("tlsrpt")
        {
            new TextPart("plain") { Text = $"This is an SMTP TLS report (RFC 8460) for {domain} from {Organization}.\r\n" },
            new MimePart("application", "tlsrpt+gzip")
            {
                Content = new MimeContent(new MemoryStream(gzipped)),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = fileName },
                ContentTransferEncoding = ContentEncoding.Base64,
            },
        };
        var result = await Bounces.NodeMail.EnqueueAsync(queue, ids, new Envelope(string.Empty, [new EnvelopeRecipient(address)]), message, time.GetUtcNow(), cancellationToken, events).ConfigureAwait(false);
        return result == EnqueueResult.Stored;
    }

    private async Task<bool> PostAsync(Uri destination, byte[] gzipped, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(gzipped);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/tlsrpt+gzip");
        try
        {
            using var response = await _http.PostAsync(destination, content, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 4410, Level = LogLevel.Information, Message = "TLS report for {Domain} to {Destination}: sent {Sent}")]
    private static partial void ReportSent(ILogger logger, string domain, Uri destination, bool sent);

    [LoggerMessage(EventId = 4411, Level = LogLevel.Error, Message = "The day's TLS reports could not be made")]
    private static partial void ReportsFailed(ILogger logger, Exception exception);
}
