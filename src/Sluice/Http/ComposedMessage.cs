using MimeKit;
using Sluice.Core.Messages;

namespace Sluice.Http;

/// <summary>A message built from an API request: the MIME message and the envelope to queue it with.</summary>
internal sealed record ComposedMessage(MimeMessage Message, Envelope Envelope);
