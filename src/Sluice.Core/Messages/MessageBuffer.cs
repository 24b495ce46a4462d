using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Core.Messages;

/// <summary>
/// Holds one message's bytes while a session receives them: pooled 64 KiB blocks up to a
/// threshold, then a temp file, so twenty sessions each receiving a 50 MB message do not
/// need a gigabyte of RAM. The temp file is not fsynced; durability is the spool's job.
/// </summary>
public sealed class MessageBuffer : IDisposable
{
    /// <summary>Size of each pooled block (every block but the last is full).</summary>
    public const int BlockSize = 64 * 1024;
    private readonly List<byte[]> _blocks = [];
    private readonly long _memoryThreshold;
    private readonly string _spillDirectory;
    private FileStream? _file;
    private int _lastBlockUsed;
    private bool _detached;
    private readonly int _firstBlockSize = BlockSize;

    public MessageBuffer(string spillDirectory, long memoryThreshold = 1024 * 1024)
    {
        _spillDirectory = spillDirectory;
        _memoryThreshold = memoryThreshold;
    }

    /// <summary>
    /// A buffer for a message whose size is known (the API builds it before queueing): a small one
    /// rents a block of about its size instead of 64 KiB, so thousands of messages in flight at once
    /// do not hold (and leave to the GC) 64 KiB each.
    /// </summary>
    public MessageBuffer(string spillDirectory, int sizeHint)
        : this(spillDirectory)
        => _firstBlockSize = Math.Clamp(sizeHint, 256, BlockSize);

    public long Length { get; private set; }

    public bool SpilledToDisk => _file is not null;

    public void Write(ReadOnlySpan<byte> data)
    {
        ThrowIfDetached();
        Length += data.Length;
        if (_file is not null)
        {
            _file.Write(data);
            return;
        }

        if (Length > _memoryThreshold)
        {
            Spill();
            _file!.Write(data);
            return;
        }

        while (!data.IsEmpty)
        {
            if (_blocks.Count == 0)
            {
                _blocks.Add(ArrayPool<byte>.Shared.Rent(_firstBlockSize));
                _lastBlockUsed = 0;
            }
            else if (_lastBlockUsed == _blocks[^1].Length || _lastBlockUsed == BlockSize)
            {
                if (_blocks.Count == 1 && _blocks[0].Length < BlockSize)
                {
                    // The size hint was short: move to a full block, so every block but the last stays BlockSize long.
                    var full = ArrayPool<byte>.Shared.Rent(BlockSize);
                    _blocks[0].AsSpan(0, _lastBlockUsed).CopyTo(full);
                    ArrayPool<byte>.Shared.Return(_blocks[0]);
                    _blocks[0] = full;
                }
                else
                {
                    _blocks.Add(ArrayPool<byte>.Shared.Rent(BlockSize));
                    _lastBlockUsed = 0;
                }
            }

            var block = _blocks[^1];
            var n = Math.Min(data.Length, Math.Min(block.Length, BlockSize) - _lastBlockUsed);
            data[..n].CopyTo(block.AsSpan(_lastBlockUsed));
            _lastBlockUsed += n;
            data = data[n..];
        }
    }

    public void CopyTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfDetached();
        if (_file is not null)
        {
            _file.Flush();
            _file.Position = 0;
            _file.CopyTo(destination, BlockSize);
            _file.Seek(0, SeekOrigin.End);
            return;
        }

        for (var i = 0; i < _blocks.Count; i++)
        {
            var used = i == _blocks.Count - 1 ? _lastBlockUsed : BlockSize;
            destination.Write(_blocks[i], 0, used);
        }
    }

    /// <summary>
    /// Copies up to <paramref name="destination"/>'s length of bytes from <paramref name="position"/>;
    /// returns how many (0 at the end). Positional, so several readers may share a buffer once
    /// writing is over and <see cref="Flush"/> was called.
    /// </summary>
    public int ReadAt(long position, Span<byte> destination)
    {
        ThrowIfDetached();
        if (position >= Length || destination.IsEmpty)
        {
            return 0;
        }

        if (_file is not null)
        {
            return RandomAccess.Read(_file.SafeFileHandle, destination, position);
        }

        var block = (int)(position / BlockSize);
        var offset = (int)(position % BlockSize);
        var used = block == _blocks.Count - 1 ? _lastBlockUsed : BlockSize;
        var n = Math.Min(destination.Length, used - offset);
        _blocks[block].AsSpan(offset, n).CopyTo(destination);
        return n;
    }

    /// <summary>Pushes what was written to a spilled file down to it, so that <see cref="ReadAt"/> sees every byte.</summary>
    public void Flush() => _file?.Flush();

    /// <summary>
    /// Writes the whole message at <paramref name="fileOffset"/> of an open file: the in-memory blocks
    /// in one gathered write (pwritev), a spilled message in block-sized copies.
    /// </summary>
    public void WriteTo(SafeFileHandle file, long fileOffset)
    {
        ThrowIfDetached();
        if (_file is not null)
        {
            _file.Flush();
            var chunk = ArrayPool<byte>.Shared.Rent(BlockSize);
            try
            {
                long position = 0;
                int read;
                while ((read = RandomAccess.Read(_file.SafeFileHandle, chunk.AsSpan(0, BlockSize), position)) > 0)
                {
                    RandomAccess.Write(file, chunk.AsSpan(0, read), fileOffset + position);
                    position += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return;
        }

        var blocks = new ReadOnlyMemory<byte>[_blocks.Count];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = _blocks[i].AsMemory(0, i == blocks.Length - 1 ? _lastBlockUsed : BlockSize);
        }

        RandomAccess.Write(file, blocks, fileOffset);
    }

    /// <summary>
    /// Hands the in-memory blocks to a new owner (who returns them to <see cref="ArrayPool{T}.Shared"/>),
    /// leaving this buffer empty; null when the message spilled to disk. The spool keeps freshly
    /// queued bodies this way so delivery does not read them back from disk.
    /// </summary>
    public (List<byte[]> Blocks, int LastBlockUsed)? DetachBlocks()
    {
        if (_file is not null || _blocks.Count == 0)
        {
            return null;
        }

        // Length stays, for whoever logs the size after queueing; the bytes are gone until Reset.
        var detached = (new List<byte[]>(_blocks), _lastBlockUsed);
        _blocks.Clear();
        _lastBlockUsed = 0;
        _detached = true;
        return detached;
    }

    public byte[] ToArray()
    {
        using var ms = new MemoryStream(checked((int)Length));
        CopyTo(ms);
        return ms.ToArray();
    }

    public void Reset()
    {
        _detached = false;
        ReturnBlocks();
        _file?.Dispose();
        _file = null;
        Length = 0;
    }

    public void Dispose() => Reset();

    private void ThrowIfDetached()
    {
        if (_detached)
        {
            throw new InvalidOperationException("The buffer's blocks were handed to the spool; Reset it before reuse.");
        }
    }

    private void Spill()
    {
        Directory.CreateDirectory(_spillDirectory);
        var path = Path.Combine(_spillDirectory, $"{Guid.NewGuid():N}.part");
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BlockSize, FileOptions.DeleteOnClose);
        for (var i = 0; i < _blocks.Count; i++)
        {
            var used = i == _blocks.Count - 1 ? _lastBlockUsed : BlockSize;
            _file.Write(_blocks[i], 0, used);
        }

        ReturnBlocks();
    }

    private void ReturnBlocks()
    {
        foreach (var b in _blocks)
        {
            ArrayPool<byte>.Shared.Return(b);
        }

        _blocks.Clear();
        _lastBlockUsed = 0;
    }
}
