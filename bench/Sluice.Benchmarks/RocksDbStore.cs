using System.Text;
using RocksDbSharp;

namespace Sluice.Benchmarks;

/// <summary>RocksDB (KumoMTA's spool engine) with sync writes; concurrent writers share its WAL group commit.</summary>
internal sealed class RocksDbStore(string directory) : IDurableStore
{
    private readonly RocksDb _db = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), directory);
    private readonly WriteOptions _sync = new WriteOptions().SetSync(true);

    public string Name => "RocksDB, sync writes";

    public Task WriteAsync(string key, byte[] value)
        => Task.Run(() => _db.Put(Encoding.ASCII.GetBytes(key), value, cf: null, writeOptions: _sync));

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        return ValueTask.CompletedTask;
    }
}
