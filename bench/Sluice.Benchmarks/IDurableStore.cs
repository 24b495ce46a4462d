namespace Sluice.Benchmarks;

/// <summary>A candidate spool engine: Write completes once the record is durable.</summary>
internal interface IDurableStore : IAsyncDisposable
{
    string Name { get; }

    Task WriteAsync(string key, byte[] value);
}
