using MimeKit;
using Sluice.Core.Intake;
using Sluice.Core.Messages;

namespace Sluice.Http;

/// <summary>
/// A message built from an API request: the MIME message and the envelope to queue it with. The
/// intake stage has MimeKit write it straight into the message buffer, CRLF line ends as SMTP
/// requires (RFC 5321 §2.3.8); attachments stream from the spooled request as they are encoded.
/// </summary>
internal sealed record ComposedMessage(MimeMessage Message, Envelope Envelope, long SizeHint) : IMessageContent
{
    private static readonly FormatOptions Crlf = Delivery.Bounces.NodeMail.Crlf;

    public async ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken)
        => await Message.WriteToAsync(Crlf, destination, cancellationToken).ConfigureAwait(false);
}
