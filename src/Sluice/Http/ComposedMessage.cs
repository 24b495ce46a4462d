using MimeKit;
using Sluice.Core.Messages;

namespace Sluice.Http;

/// <summary>
/// A message built from an API request: the MIME message and the envelope to queue it with. A raw
/// submission also carries its <paramref name="Original"/> bytes, which are queued as they came
/// (the parsed message only validated them).
/// </summary>
internal sealed record ComposedMessage(MimeMessage Message, Envelope Envelope, ReadOnlyMemory<byte> Original = default);
