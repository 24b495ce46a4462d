using System.Threading.Channels;

namespace Sluice.Benchmarks;

/// <summary>
/// The floor for a hand-written segmented log: length-prefixed records appended to one file,
/// one fdatasync per batch of whatever arrived meanwhile. No index, no deletes, no recovery.
/// </summary>
internal sealed class AppendLogStore : IDurableStore
{
    private readonly FileStream _file;
    private readonly Channel<(byte[] Value, TaskCompletionSource Done)> _pending = Channel.CreateUnbounded<(byte[], TaskCompletionSource)>();
    private readonly Thread _writer;

    public AppendLogStore(string directory)
    {
        Directory.CreateDirectory(directory);
        _file = new FileStream(Path.Combine(directory, "segment-0001.log"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _writer = new Thread(Loop) { IsBackground = true };
        _writer.Start();
    }

    public string Name => "append-only log + fdatasync per batch";

    public Task WriteAsync(string key, byte[] value)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Writer.TryWrite((value, done));
        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.Complete();
        await Task.Run(_writer.Join);
        await _file.DisposeAsync();
    }

    private void Loop()
    {
        var batch = new List<TaskCompletionSource>();
        Span<byte> length = stackalloc byte[4];
        while (_pending.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (_pending.Reader.TryRead(out var item))
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, item.Value.Length);
                _file.Write(length);
                _file.Write(item.Value);
                batch.Add(item.Done);
            }

            _file.Flush(flushToDisk: true);
            foreach (var done in batch)
            {
                done.SetResult();
            }

            batch.Clear();
        }
    }
}
