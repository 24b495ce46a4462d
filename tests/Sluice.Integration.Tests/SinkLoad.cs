using System.Globalization;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>Mail sent to a node in parallel sessions, and a `sluice sink` waited on until it has it: the load of the shaping tests.</summary>
internal static class SinkLoad
{
    /// <summary>Sends <paramref name="messages"/> messages to <paramref name="domain"/> over <paramref name="sessions"/> sessions at once; each must get a 250.</summary>
    public static async Task SendAsync(SluiceProcess node, string domain, int sessions, int messages)
    {
        await Task.WhenAll(Enumerable.Range(0, sessions).Select(c => Task.Run(async () =>
        {
            await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
            await dialog.CommandAsync("EHLO load.test");
            for (var i = 0; i < messages / sessions; i++)
            {
                await dialog.BeginDataAsync("load@src.test", string.Create(CultureInfo.InvariantCulture, $"r{c}-{i}@{domain}"));
                Assert.StartsWith("250 ", await dialog.CommandAsync("Subject: load\r\n\r\nx\r\n."), StringComparison.Ordinal);
            }
        })));
    }

    /// <summary>Waits until the sink has accepted at least <paramref name="count"/> messages.</summary>
    public static async Task WaitAcceptedAsync(SluiceProcess sink, long count, TimeSpan? timeout = null)
    {
        long accepted = 0;
        await Poll.UntilAsync(
            async () => (accepted = (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64()) >= count,
            timeout ?? TimeSpan.FromSeconds(60),
            $"the sink to accept {count} messages",
            () => $"the sink accepted {accepted}");
    }

    /// <summary>The most connections the sink had open at once.</summary>
    public static async Task<long> MaxConnectionsAsync(SluiceProcess sink)
        => (await sink.SinkStatsAsync()).GetProperty("maxConcurrentConnections").GetInt64();
}
