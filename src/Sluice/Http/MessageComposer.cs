using System.Globalization;
using System.Text;
using MimeKit;
using Sluice.Core.Messages;

namespace Sluice.Http;

/// <summary>
/// Turns a send request into a MIME message (MimeKit) and an envelope, or into a list of field
/// errors. Recipients from to, cc and bcc become the envelope (bcc never appears in a header); the
/// headers that define the message (From, To, Date, Message-ID, MIME and Content-*) cannot be set
/// through <c>headers</c>.
/// </summary>
internal static class MessageComposer
{
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Received", "Return-Path",
    };

    /// <param name="attachments">Where attachment contents stay when the request was spooled (null: contents are inline base64).</param>
    /// <param name="unsubscribe">The List-Unsubscribe links, for requests with <c>unsubscribe: true</c>.</param>
    public static (ComposedMessage? Message, Dictionary<string, string[]> Errors) Compose(SendMessageRequest request, MessageId id, string hostname, DateTimeOffset now, string? client, string keyName, JsonAttachments? attachments = null, Unsubscribe.UnsubscribeLinks? unsubscribe = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Error(string field, string reason) => errors[field] = [.. errors.GetValueOrDefault(field, []), reason];

        var from = Mailbox(request.From, "from", required: true, Error);
        var to = Mailboxes(request.To, "to", Error);
        var cc = Mailboxes(request.Cc, "cc", Error);
        var bcc = Mailboxes(request.Bcc, "bcc", Error);
        var replyTo = Mailbox(request.ReplyTo, "replyTo", required: false, Error);
        if (to.Count + cc.Count + bcc.Count == 0)
        {
            Error("to", "at least one recipient in to, cc or bcc");
        }

        if (string.IsNullOrEmpty(request.Text) && string.IsNullOrEmpty(request.Html))
        {
            Error("text", "a text or an html body is required");
        }

        var parts = new List<MimePart>();
        long size = 1024 + ((request.Text?.Length ?? 0) * 2L) + ((request.Html?.Length ?? 0) * 2L);
        for (var i = 0; i < (request.Attachments?.Length ?? 0); i++)
        {
            var attachment = request.Attachments![i];
            var field = string.Create(CultureInfo.InvariantCulture, $"attachments[{i}]");
            if (string.IsNullOrWhiteSpace(attachment.Filename))
            {
                Error(field + ".filename", "required");
                continue;
            }

            if (attachment.ContentType is { } type && !ContentType.TryParse(type, out _))
            {
                Error(field + ".contentType", $"'{type}' is not a MIME type");
                continue;
            }

            if (Content(attachment.Content, attachments) is not { } content)
            {
                Error(field + ".content", "must be base64");
                continue;
            }

            // Base64 in the message: a third larger, and a line end every 76 characters (RFC 2045 §6.8).
            size += (content.Length * 4 / 3 * 78 / 76) + 256;
            parts.Add(new MimePart(ContentType.Parse(attachment.ContentType ?? MimeTypes.GetMimeType(attachment.Filename)))
            {
                Content = new MimeContent(content),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = attachment.Filename,
            });
        }

        foreach (var (name, _) in request.Headers ?? [])
        {
            if (!IsFieldName(name))
            {
                Error($"headers.{name}", "not a header field name (RFC 5322 §2.2)");
            }
            else if (ReservedHeaders.Contains(name) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                Error($"headers.{name}", "set by Sluice from the request; use the matching field instead");
            }
        }

        if (request.Unsubscribe == true)
        {
            // RFC 8058 one-click: the link unsubscribes one recipient from one sender's mail.
            if (unsubscribe is not { Configured: true })
            {
                Error("unsubscribe", "this node has no Unsubscribe:BaseUrl for the one-click link");
            }
            else if (to.Count + cc.Count + bcc.Count != 1)
            {
                Error("unsubscribe", "needs exactly one recipient, whom the link unsubscribes (a batch sends one message per recipient)");
            }

            if (request.Headers?.Keys.Any(k => k.StartsWith("List-Unsubscribe", StringComparison.OrdinalIgnoreCase)) == true)
            {
                Error("headers.List-Unsubscribe", "set by Sluice when unsubscribe is true");
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var message = new MimeMessage { Subject = request.Subject ?? string.Empty, Date = now, MessageId = $"{id.Value}@{hostname}" };
        message.From.Add(from!);
        message.To.AddRange(to);
        message.Cc.AddRange(cc);
        if (replyTo is not null)
        {
            message.ReplyTo.Add(replyTo);
        }

        foreach (var (name, value) in request.Headers ?? [])
        {
            message.Headers.Add(name, value);
        }

        if (request.Unsubscribe == true)
        {
            var recipient = to.Concat(cc).Concat(bcc).First().Address;
            var (listUnsubscribe, post) = unsubscribe!.Headers(id.Value, recipient, AddressDomain.Of(from!.Address));
            message.Headers.Add("List-Unsubscribe", listUnsubscribe);
            message.Headers.Add("List-Unsubscribe-Post", post);
        }

        var body = new BodyBuilder { TextBody = request.Text, HtmlBody = request.Html }.ToMessageBody();
        if (parts.Count == 0)
        {
            message.Body = body;
        }
        else
        {
            // As BodyBuilder lays attachments out: multipart/mixed, the text first (RFC 2046 §5.1.3).
            var mixed = new Multipart("mixed") { body };
            foreach (var part in parts)
            {
                mixed.Add(part);
            }

            message.Body = mixed;
        }
        var recipients = new List<EnvelopeRecipient>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var mailbox in to.Concat(cc).Concat(bcc))
        {
            if (seen.Add(mailbox.Address))
            {
                recipients.Add(new EnvelopeRecipient(mailbox.Address));
            }
        }

        var utf8 = !Ascii(from!.Address) || recipients.Exists(r => !Ascii(r.Address));
        var envelope = new Envelope(from.Address, recipients, SmtpUtf8: utf8, ClientAddress: client, HeloName: "api", AuthenticatedUser: keyName, Tags: request.Tags, Metadata: request.Metadata);
        return (new ComposedMessage(message, envelope, size), errors);
    }

    /// <summary>The attachment's bytes as a stream (spooled, or decoded from an inline value); null when not base64.</summary>
    private static Stream? Content(string? value, JsonAttachments? attachments)
    {
        if (attachments?.Open(value) is { } spooled)
        {
            return spooled.TryMeasure(out _) ? spooled : null;
        }

        if (value is null)
        {
            return null;
        }

        var bytes = new byte[(value.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(value, bytes, out var length) ? new MemoryStream(bytes, 0, length, writable: false) : null;
    }

    private static List<MailboxAddress> Mailboxes(string[]? values, string field, Action<string, string> error)
    {
        var list = new List<MailboxAddress>();
        for (var i = 0; i < (values?.Length ?? 0); i++)
        {
            if (Mailbox(values![i], string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]"), true, error) is { } mailbox)
            {
                list.Add(mailbox);
            }
        }

        return list;
    }

    private static MailboxAddress? Mailbox(string? value, string field, bool required, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                error(field, "required");
            }

            return null;
        }

        // MimeKit parses display names and quoting (RFC 5322 §3.4); our own check holds the address to RFC 5321 (what SMTP can carry).
        if (!MailboxAddress.TryParse(ParserOptions.Default, value, out var mailbox) || !IsSmtpAddress(mailbox.Address))
        {
            error(field, $"'{value}' is not an email address");
            return null;
        }

        return mailbox;
    }

    internal static bool IsSmtpAddress(string address)
    {
        var bytes = Encoding.UTF8.GetBytes(address);
        return Smtp.AddressSyntax.ValidateMailbox(bytes, allowUtf8: true, out _) == Smtp.PathStatus.Ok;
    }

    private static bool IsFieldName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is < '!' or > '~' or ':')
            {
                return false;
            }
        }

        return true;
    }

    private static bool Ascii(string s)
    {
        foreach (var c in s)
        {
            if (c > 127)
            {
                return false;
            }
        }

        return true;
    }
}
