using System.Text;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

public sealed class DiskFullTests
{
    /// <summary>
    /// The spool on a 6 MB tmpfs: sending 256 KB messages ends in 452 4.3.1, never a 250 followed by
    /// loss; once space returns the node accepts again, and everything acknowledged is stored whole.
    /// </summary>
    [Fact]
    public async Task DiskFull_SpoolOnSmallTmpfs_Answers452AndLosesNothing()
    {
        using var mount = TmpfsMount.Create(6 * 1024 * 1024);
        var acknowledged = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string? refusal = null;
        await using (var node = await SluiceProcess.StartAsync(mount.Path))
        {
            await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
            await dialog.CommandAsync("EHLO full.example");
            for (var n = 0; n < 100 && refusal is null; n++)
            {
                var body = Body(n, 256 * 1024);
                var reply = await SendAsync(dialog, body);
                if (reply.StartsWith("250 ", StringComparison.Ordinal))
                {
                    acknowledged[reply["250 2.0.0 OK: queued as ".Length..]] = body;
                }
                else
                {
                    refusal = reply;
                }
            }

            Assert.Equal("452 4.3.1 Insufficient system storage, try again later", refusal);
            Assert.NotEmpty(acknowledged);

            // Space comes back: the same node and session accept again without a restart.
            mount.Resize(64 * 1024 * 1024);
            var again = Body(1000, 256 * 1024);
            var afterReply = await SendAsync(dialog, again);
            Assert.StartsWith("250 2.0.0 OK: queued as ", afterReply, StringComparison.Ordinal);
            acknowledged[afterReply["250 2.0.0 OK: queued as ".Length..]] = again;
            Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        var stored = await SpoolVerifier.ReadAllAsync(mount.Path);
        Assert.Equal(acknowledged.Count, stored.Count);
        foreach (var (id, body) in acknowledged)
        {
            Assert.True(SpoolVerifier.IsHeaderPlus(stored[id], body, id), $"message {id} is not byte-identical");
        }
    }

    private static async Task<string> SendAsync(SmtpDialog dialog, byte[] body)
    {
        Assert.StartsWith("250", await dialog.CommandAsync("MAIL FROM:<big@example.com>"), StringComparison.Ordinal);
        Assert.StartsWith("250", await dialog.CommandAsync("RCPT TO:<r@full.example>"), StringComparison.Ordinal);
        Assert.StartsWith("354", await dialog.CommandAsync("DATA"), StringComparison.Ordinal);
        await dialog.SendAsync(body);
        return await dialog.CommandAsync(".");
    }

    private static byte[] Body(int n, int size)
    {
        var text = new StringBuilder($"Subject: full {n}\r\n\r\n");
        var random = new Random(n);
        while (text.Length < size)
        {
            text.Append(new string((char)('a' + random.Next(26)), 76)).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
