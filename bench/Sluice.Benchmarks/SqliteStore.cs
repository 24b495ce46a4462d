using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Messages;
using Sluice.Storage;

namespace Sluice.Benchmarks;

/// <summary>The real embedded spool (SQLite WAL, synchronous=FULL, group commit).</summary>
internal sealed class SqliteStore(string directory) : IDurableStore
{
    private readonly SqliteSpool _spool = SqliteSpool.Open(new SpoolOptions { Directory = directory }, TimeProvider.System, NullLogger.Instance);
    private readonly MessageIdGenerator _ids = new(TimeProvider.System);
    private readonly Envelope _envelope = new("bench@sender.example", [new EnvelopeRecipient("rcpt@bench.example")]);

    public string Name => "SQLite WAL spool (Sluice.Storage)";

    public async Task WriteAsync(string key, byte[] value)
    {
        using var buffer = new MessageBuffer(directory);
        buffer.Write(value);
        var result = await _spool.EnqueueAsync(_envelope, _ids.Next(), DateTimeOffset.UtcNow, buffer, CancellationToken.None);
        if (result != Core.Queue.EnqueueResult.Stored)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }

    public ValueTask DisposeAsync() => _spool.DisposeAsync();
}
