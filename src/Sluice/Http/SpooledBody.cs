using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Sluice.Core.Messages;

namespace Sluice.Http;

/// <summary>
/// A request body as it arrived, held the way an SMTP session holds a message: pooled blocks up to
/// 1 MiB, then a temp file, so that ten 25 MB submissions at once do not take 250 MB of memory.
/// With an Idempotency-Key, the request's hash is computed while it streams in.
/// </summary>
internal sealed class SpooledBody : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    private SpooledBody(MessageBuffer buffer, string? hash)
    {
        Buffer = buffer;
        Hash = hash;
    }

    public MessageBuffer Buffer { get; }

    /// <summary>SHA-256 of method, path, query, content type and body (hex); null when not asked for.</summary>
    public string? Hash { get; }

    public long Length => Buffer.Length;

    public static async Task<SpooledBody> ReadAsync(HttpRequest request, string spillDirectory, CancellationToken cancellationToken)
    {
        var buffer = new MessageBuffer(spillDirectory);
        using var sha = request.Headers.ContainsKey(Idempotency.Header) ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        sha?.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString} {request.ContentType}\n"));
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk.AsMemory(0, ChunkSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk.AsSpan(0, read));
                sha?.AppendData(chunk, 0, read);
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        buffer.Flush();
        return new SpooledBody(buffer, sha is null ? null : Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>A body already in a buffer (tests, fuzzing); the body owns it from now on.</summary>
    public static SpooledBody Wrap(MessageBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        buffer.Flush();
        return new SpooledBody(buffer, null);
    }

    /// <summary>A reader of its own over the body (several may read at once).</summary>
    public Stream OpenRead() => new MessageBufferReadStream(Buffer);

    public void Dispose() => Buffer.Dispose();
}
