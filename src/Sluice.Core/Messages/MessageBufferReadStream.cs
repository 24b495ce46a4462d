namespace Sluice.Core.Messages;

/// <summary>
/// A read-only, seekable stream over a finished <see cref="MessageBuffer"/> (its own position, so
/// several may read one buffer at once): how the API parses a request body it spooled.
/// </summary>
public sealed class MessageBufferReadStream(MessageBuffer buffer) : ReadOnlyBodyStream(buffer.Length)
{
    protected override int ReadAt(long position, Span<byte> destination) => buffer.ReadAt(position, destination);
}
