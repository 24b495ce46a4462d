using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Sluice.Testing;

namespace Sluice.Server.Tests;

/// <summary>
/// Whole transactions split at random points across TCP writes must store the same message:
/// DATA with dot-stuffing, and BDAT with chunk boundaries that fall anywhere.
/// </summary>
public sealed class FramingPropertyTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task DataAndBdat_RandomSplitsAcrossWrites_StoreSameMessage()
    {
        var gen =
            from lines in Gen.ListOf(Gen.Elements("", ".", "..", ". x", "hello", "a.b", new string('z', 300), "ünïcödé", "\t tab"))
            from cuts in Gen.ListOf(Gen.Choose(1, 40))
            from chunk in Gen.Choose(1, 64)
            select (Lines: lines.ToArray(), Cuts: cuts.ToArray(), Chunk: chunk);

        // FsCheck properties are synchronous; run them on the thread pool so blocking on each async
        // case cannot deadlock against the test framework's synchronization context.
        await Task.Run(() => Prop.ForAll(gen.ToArbitrary(), sample => CheckAsync(sample.Lines, sample.Cuts, sample.Chunk).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(40)));
    }

    private async Task<bool> CheckAsync(string[] lines, int[] cuts, int chunkSize)
    {
        var body = Encoding.UTF8.GetBytes("Subject: property\r\n\r\n" + string.Concat(lines.Select(l => l + "\r\n")));
        var stuffed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\r\n.", "\r\n..", StringComparison.Ordinal));
        var dataWire = Concat("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"u8.ToArray(), stuffed, ".\r\n"u8.ToArray());

        var bdatWire = new List<byte>("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n"u8.ToArray());
        var chunks = body.Chunk(chunkSize).ToList();
        for (var i = 0; i < chunks.Count; i++)
        {
            bdatWire.AddRange(Encoding.ASCII.GetBytes($"BDAT {chunks[i].Length}{(i == chunks.Count - 1 ? " LAST" : string.Empty)}\r\n"));
            bdatWire.AddRange(chunks[i]);
        }

        foreach (var (wire, replies) in new[] { (dataWire, 4), ([.. bdatWire], 2 + chunks.Count) })
        {
            await using var dialog = await _node.HelloAsync();
            var offset = 0;
            var c = 0;
            while (offset < wire.Length)
            {
                var size = cuts.Length == 0 ? wire.Length : cuts[c++ % cuts.Length];
                var n = Math.Min(size, wire.Length - offset);
                await dialog.SendAsync(wire.AsSpan(offset, n).ToArray());
                offset += n;
            }

            string last = string.Empty;
            for (var r = 0; r < replies; r++)
            {
                last = await dialog.ReadReplyAsync();
            }

            var stored = await _node.ContentAsync(DataDialogTests.QueuedId(last));
            if (!stored.AsSpan().EndsWith(body) || Encoding.UTF8.GetString(stored, 0, stored.Length - body.Length).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
