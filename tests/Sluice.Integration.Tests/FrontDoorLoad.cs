using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// Clients (from 127.0.0.66) sending through a front door without pause until a number of messages
/// got a 250, with faults injected once given shares of them had: the load of the balancer and
/// cluster chaos tests. A client whose connection dies reconnects; the message it was sending did
/// not count and is sent again.
/// </summary>
internal static partial class FrontDoorLoad
{
    public static async Task<(ConcurrentBag<string> Accepted, int Reconnects)> RunAsync(IPEndPoint frontDoor, int total, int clients, params (int AfterAccepted, Func<Task> Fault)[] faults)
    {
        var accepted = new ConcurrentBag<string>();
        var reconnects = 0;
        var injected = new int[faults.Length];
        var remaining = total;
        var deadline = DateTime.UtcNow.AddSeconds(240);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            while (Volatile.Read(ref remaining) > 0 && DateTime.UtcNow < deadline)
            {
                // A message slot is given back only if this client took it and did not get its 250.
                var holding = false;
                try
                {
                    await using var dialog = await SmtpDialog.ConnectAsync(frontDoor, IPAddress.Parse("127.0.0.66"));
                    await dialog.CommandAsync("EHLO load.test");
                    while (Interlocked.Decrement(ref remaining) >= 0)
                    {
                        holding = true;
                        await dialog.BeginDataAsync("load@src.test", string.Create(CultureInfo.InvariantCulture, $"c{c}@lb.example"));
                        var reply = await dialog.CommandAsync("Subject: through the front door\r\n\r\nx\r\n.");
                        if (QueuedAs().Match(reply) is not { Success: true } match)
                        {
                            throw new IOException($"not accepted: {reply}");
                        }

                        accepted.Add(match.Groups[1].Value);
                        holding = false;
                        for (var f = 0; f < faults.Length; f++)
                        {
                            if (accepted.Count >= faults[f].AfterAccepted && Interlocked.Exchange(ref injected[f], 1) == 0)
                            {
                                await faults[f].Fault();
                            }
                        }
                    }

                    // The decrement that ended the loop took no message: give it back.
                    Interlocked.Increment(ref remaining);
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException or Xunit.Sdk.XunitException)
                {
                    // The node behind this connection died (or the front door said 421): this message did not count; connect again.
                    if (holding)
                    {
                        Interlocked.Increment(ref remaining);
                    }

                    Interlocked.Increment(ref reconnects);
                }
            }
        })));

        return (accepted, reconnects);
    }

    [GeneratedRegex("^250 2.0.0 OK: queued as ([0-9A-Z]{26})")]
    internal static partial Regex QueuedAs();
}
