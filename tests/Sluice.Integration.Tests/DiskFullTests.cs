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
        // No free-space margin: this test is about the disk actually filling (the margin has its own test).
        await using (var node = await SluiceProcess.StartAsync(mount.Path, environment: new Dictionary<string, string> { ["SLUICE__Spool__MinFreeBytes"] = "0", ["SLUICE__Spool__ReserveBytes"] = "1048576" }))
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

    /// <summary>
    /// The hardening issue's disk-full run, end to end: a spool on a 48 MiB tmpfs gets more of its
    /// own mail than the disk holds, first with the next hop up (delivered mail gives its space
    /// back, so the node keeps accepting), then with it down (the node refuses at MAIL with 452
    /// before the disk is full), restarts while full, and once the hop is back delivers everything,
    /// accepts again, sends no message twice and logs a bounded number of lines.
    /// </summary>
    [Fact]
    public async Task DiskFull_OwnMailWithNextHopUpThenDown_KeepsDeliveringRefusesEarlyAndSendsNothingTwice()
    {
        using var mount = TmpfsMount.Create(48L * 1024 * 1024);
        using var sinkDir = new TempDirectory();
        var store = Path.Combine(sinkDir.Path, "store");
        var environment = new Dictionary<string, string>
        {
            ["SLUICE__Spool__MinFreeBytes"] = (12L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SLUICE__Spool__ReserveBytes"] = (4L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SLUICE__Spool__SegmentBytes"] = (4L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SLUICE__Delivery__Retry__Intervals__0"] = "00:00:01",
            ["SLUICE__Delivery__Shaping__Default__FailureCooldown"] = "00:00:01",
        };
        var accepted = new HashSet<int>();
        var sink = await SluiceProcess.StartSinkAsync(store);
        var sinkPort = sink.SmtpEndpoint.Port;
        string[] args = ["--relay-host", sink.SmtpEndpoint.ToString()];
        var node = await SluiceProcess.StartAsync(mount.Path, args, environment, delivery: true);
        try
        {
            // 1. Next hop up: 400 × 200 KB (80 MB) through a 48 MiB disk. Delivered mail frees its
            // space, so nearly all is taken; whatever is not is refused at MAIL, never after DATA.
            var upRefusals = await SendManyAsync(node, 0, 400, accepted, stopAtRefusal: false);
            Assert.True(accepted.Count >= 300, $"only {accepted.Count} of 400 accepted with the next hop up");
            Assert.All(upRefusals, r => Assert.Equal("MAIL: 452 4.3.1 Insufficient system storage, try again later", r));

            // 2. Next hop down: the queue grows until the margin; the refusal comes at MAIL.
            Assert.Equal(0, await sink.TerminateAsync(TimeSpan.FromSeconds(30)));
            await sink.DisposeAsync();
            var before = accepted.Count;
            var downRefusals = await SendManyAsync(node, 1000, 300, accepted, stopAtRefusal: true);
            Assert.True(accepted.Count > before, "nothing was accepted with the next hop down");
            Assert.Equal(["MAIL: 452 4.3.1 Insufficient system storage, try again later"], downRefusals);
            var firstLog = node.Output;

            // 3. Another process takes the rest of the disk; a restart on the full disk works.
            Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(30)));
            await node.DisposeAsync();
            FillUp(Path.Combine(mount.Path, "filler"));
            node = await SluiceProcess.StartAsync(mount.Path, args, environment, delivery: true);

            // 4. The next hop comes back (same port, same store): everything queued is delivered, and
            // new mail is accepted again without a restart.
            sink = await SluiceProcess.StartSinkAsync(store, port: sinkPort);
            long atSink = 0;
            await Poll.UntilAsync(
                async () => (atSink = (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64()) >= accepted.Count - before,
                TimeSpan.FromSeconds(120),
                "the queued mail to be delivered",
                () => $"the sink has {atSink} of {accepted.Count - before}; the node's last lines since the restart:\n" + string.Join('\n', node.Output.Split('\n').TakeLast(60)));
            // The spool gives the space of delivered mail back to the filesystem (WAL cut back,
            // database pages vacuumed, segments deleted), then the other process frees its part too.
            await Poll.UntilAsync(
                () => Task.FromResult(SpoolBytes(mount.Path) < 10L * 1024 * 1024),
                TimeSpan.FromSeconds(30),
                "the spool to shrink",
                () => string.Join('\n', Directory.EnumerateFiles(mount.Path, "spool.*").Select(f => $"{f} {new FileInfo(f).Length}")));
            File.Delete(Path.Combine(mount.Path, "filler"));
            await Poll.UntilAsync(
                async () => (await SendManyAsync(node, 5000 + accepted.Count, 1, accepted, stopAtRefusal: true)).Count == 0,
                TimeSpan.FromSeconds(30),
                "the node to accept mail again");
            await Poll.UntilAsync(() => Task.FromResult(Delivered(store).Count >= accepted.Count), TimeSpan.FromSeconds(60), "the last message to be delivered");

            // Each accepted message reached the sink exactly once.
            var delivered = Delivered(store);
            Assert.Equal(accepted.Order(), delivered.Keys.Order());
            Assert.All(delivered, d => Assert.True(d.Value == 1, $"message {d.Key} was delivered {d.Value} times"));

            // A bounded log: one line per message delivered or deferred (information), but no line
            // per failed write or refused message, and no stack traces.
            var log = firstLog + node.Output;
            var problems = log.Split('\n').Where(l => l.Contains(" warn: ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal)).ToList();
            Assert.True(problems.Count < 40, $"{problems.Count} warnings and errors:\n{string.Join('\n', problems)}");
            Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);
        }
        finally
        {
            await node.DisposeAsync();
            await sink.DisposeAsync();
        }
    }

    /// <summary>Sends <paramref name="count"/> 200 KB messages numbered from <paramref name="first"/>; returns the refusals ("PHASE: reply").</summary>
    private static async Task<List<string>> SendManyAsync(SluiceProcess node, int first, int count, HashSet<int> accepted, bool stopAtRefusal)
    {
        var refusals = new List<string>();
        await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
        await dialog.CommandAsync("EHLO full.example");
        for (var n = first; n < first + count; n++)
        {
            var body = Body(n, 200 * 1024);
            var mail = await dialog.CommandAsync($"MAIL FROM:<big@example.com> SIZE={body.Length}");
            if (!mail.StartsWith("250", StringComparison.Ordinal))
            {
                refusals.Add("MAIL: " + mail);
                if (stopAtRefusal)
                {
                    break;
                }

                continue;
            }

            Assert.StartsWith("250", await dialog.CommandAsync("RCPT TO:<r@full.example>"), StringComparison.Ordinal);
            Assert.StartsWith("354", await dialog.CommandAsync("DATA"), StringComparison.Ordinal);
            await dialog.SendAsync(body);
            var reply = await dialog.CommandAsync(".");
            if (reply.StartsWith("250 ", StringComparison.Ordinal))
            {
                accepted.Add(n);
            }
            else
            {
                refusals.Add("DATA: " + reply);
                if (stopAtRefusal)
                {
                    break;
                }
            }
        }

        return refusals;
    }

    private static long SpoolBytes(string folder)
        => Directory.EnumerateFiles(folder, "spool.db*").Concat(Directory.Exists(Path.Combine(folder, "bodies")) ? Directory.EnumerateFiles(Path.Combine(folder, "bodies")) : []).Sum(f => new FileInfo(f).Length);

    private static void FillUp(string path)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the disk is full.
        }
    }

    /// <summary>How many times each numbered message ("Subject: full N") is in the sink's store.</summary>
    private static Dictionary<int, int> Delivered(string store)
    {
        var counts = new Dictionary<int, int>();
        var folder = Path.Combine(store, "new");
        if (!Directory.Exists(folder))
        {
            return counts;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.eml"))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith("Subject: full ", StringComparison.Ordinal))
                {
                    var n = int.Parse(line["Subject: full ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                    counts[n] = counts.GetValueOrDefault(n) + 1;
                    break;
                }
            }
        }

        return counts;
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
