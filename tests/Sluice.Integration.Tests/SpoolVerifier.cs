using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Messages;
using Sluice.Storage;

namespace Sluice.Integration.Tests;

/// <summary>Opens a stopped node's spool directly and reads every message back.</summary>
internal static class SpoolVerifier
{
    public static async Task<Dictionary<string, byte[]>> ReadAllAsync(string dataDirectory)
    {
        await using var spool = SqliteSpool.Open(new SpoolOptions { Directory = dataDirectory }, TimeProvider.System, NullLogger.Instance);
        var all = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await spool.ListAsync(1000, cursor, CancellationToken.None);
            foreach (var entry in page.Items)
            {
                await using var stream = await spool.OpenContentAsync(entry.Id, CancellationToken.None);
                using var ms = new MemoryStream();
                await stream!.CopyToAsync(ms);
                Assert.Equal(entry.Size, ms.Length);
                all[entry.Id.Value] = ms.ToArray();
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return all;
    }

    /// <summary>The stored bytes are our Received header followed by exactly the body the client sent.</summary>
    public static bool IsHeaderPlus(byte[] stored, byte[] body, string id)
    {
        var text = System.Text.Encoding.Latin1.GetString(stored);
        return text.StartsWith("Received: ", StringComparison.Ordinal)
            && text.Contains(" id " + id, StringComparison.Ordinal)
            && stored.AsSpan().EndsWith(body)
            && stored.AsSpan(0, stored.Length - body.Length).IndexOf("\r\n\r\n"u8) < 0;
    }

    public static MessageId Id(string value) => new(value);
}
