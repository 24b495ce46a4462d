using System.Buffers;
using System.Runtime.InteropServices;

namespace Sluice.Http;

/// <summary>
/// A request body read into a pooled array (given back on dispose): a 1,000-recipient batch is
/// about 120 KB, and a fresh array per request would land on the large object heap each time.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private byte[]? _pooled;

    private RequestBody(byte[] array, int length, bool pooled)
    {
        Memory = array.AsMemory(0, length);
        _pooled = pooled ? array : null;
    }

    public ReadOnlyMemory<byte> Memory { get; }

    public static async Task<RequestBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length and <= int.MaxValue)
        {
            var array = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
            var read = await request.Body.ReadAtLeastAsync(array.AsMemory(0, (int)length), (int)length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return new RequestBody(array, read, pooled: true);
        }

        // No Content-Length (chunked): grow as it comes.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return new RequestBody(buffer.ToArray(), (int)buffer.Length, pooled: false);
    }

    /// <summary>A read-only stream over the body (for MimeKit's parser).</summary>
    public Stream AsStream()
        => MemoryMarshal.TryGetArray(Memory, out var segment) ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false) : new MemoryStream(Memory.ToArray(), writable: false);

    public void Dispose()
    {
        if (_pooled is { } array)
        {
            _pooled = null;
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
