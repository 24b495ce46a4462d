using System.Diagnostics;
using Sluice.Server.Auth;
using Sluice.Server.Configuration;
using Sluice.Testing;

namespace Sluice.Server.Tests;

/// <summary>Password guessing: failures counted per address and per user whatever else happens, and checks that never stall other sessions.</summary>
public sealed class AuthLimitDialogTests
{
    private const string LimitReached = "421 4.7.0 Too many failed authentications, closing connection";

    [Fact]
    public async Task Auth_SequentialFailures_AtTheLimitGet421AndDisconnect()
    {
        await using var node = await StartAsync(maxFailures: 3);
        await using var dialog = await HelloAsync(node);
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("535 ", await dialog.CommandAsync(Auth(TestNode.User, "guess" + i)), StringComparison.Ordinal);
        }

        // Even the right password: the address has used its tries.
        Assert.Equal(LimitReached, await dialog.CommandAsync(Auth(TestNode.User, TestNode.Password)));
        Assert.True(await dialog.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Auth_SuccessBetweenFailures_DoesNotResetTheCount()
    {
        await using var node = await StartAsync(maxFailures: 3);
        await using (var first = await HelloAsync(node))
        {
            Assert.StartsWith("535 ", await first.CommandAsync(Auth(TestNode.User, "guess1")), StringComparison.Ordinal);
            Assert.StartsWith("535 ", await first.CommandAsync(Auth(TestNode.User, "guess2")), StringComparison.Ordinal);
        }

        await using (var good = await HelloAsync(node))
        {
            Assert.StartsWith("235 ", await good.CommandAsync(Auth(TestNode.User, TestNode.Password)), StringComparison.Ordinal);
        }

        await using var again = await HelloAsync(node);
        Assert.StartsWith("535 ", await again.CommandAsync(Auth(TestNode.User, "guess3")), StringComparison.Ordinal);
        Assert.Equal(LimitReached, await again.CommandAsync(Auth(TestNode.User, "guess4")));
    }

    [Fact]
    public async Task Auth_ConcurrentFailures_NoMoreThanTheLimitAreChecked()
    {
        await using var node = await StartAsync(maxFailures: 5);
        var dialogs = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => HelloAsync(node)));
        try
        {
            var replies = await Task.WhenAll(dialogs.Select(d => d.CommandAsync(Auth(TestNode.User, "concurrent guess"))));

            Assert.True(replies.Count(r => r.StartsWith("535 ", StringComparison.Ordinal)) <= 5, string.Join("\n", replies));
            Assert.Equal(40, replies.Count(r => r.StartsWith("535 ", StringComparison.Ordinal) || r == LimitReached));
        }
        finally
        {
            foreach (var d in dialogs)
            {
                await d.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Auth_FailuresForOneUser_AreLimitedFromAnyAddress()
    {
        await using var node = await StartAsync(maxFailures: 100, maxPerUser: 2, extraUser: ("bob", PasswordHasher.Hash("bob's password", 1000)));
        await using var dialog = await HelloAsync(node);

        Assert.StartsWith("535 ", await dialog.CommandAsync(Auth(TestNode.User, "guess1")), StringComparison.Ordinal);
        Assert.StartsWith("535 ", await dialog.CommandAsync(Auth(TestNode.User, "guess2")), StringComparison.Ordinal);
        await using var other = await HelloAsync(node);
        var bob = await other.CommandAsync(Auth("bob", "bob's password"));

        Assert.Equal(LimitReached, await dialog.CommandAsync(Auth(TestNode.User, TestNode.Password)));
        Assert.StartsWith("235 ", bob, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_FloodOfSlowChecks_PlainTransactionsStayFast()
    {
        // Full-strength hashes (600,000 PBKDF2 iterations): each wrong guess costs real CPU.
        await using var node = await StartAsync(maxFailures: 10_000, maxPerUser: 10_000, extraUser: ("carol", PasswordHasher.Hash("carol's password")));
        var guessers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => HelloAsync(node)));
        try
        {
            var flood = guessers.Select(g => g.CommandAsync(Auth("carol", "wrong"))).ToList();
            await using var plain = await node.HelloAsync();
            var latencies = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var clock = Stopwatch.StartNew();
                await plain.BeginDataAsync("a@example.com", "b@local.example");
                Assert.StartsWith("250 ", await plain.CommandAsync("Subject: during a flood\r\n\r\nx\r\n."), StringComparison.Ordinal);
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }

            latencies.Sort();
            Assert.True(latencies[2] < 100, $"plain transactions took {string.Join(", ", latencies.Select(l => l.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))} ms while AUTH checks ran");
            Assert.DoesNotContain(flood, f => f.IsCompletedSuccessfully && f.Result.StartsWith("235", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var g in guessers)
            {
                await g.DisposeAsync();
            }
        }
    }

    private static Task<TestNode> StartAsync(int maxFailures, int maxPerUser = 100, (string Name, string Hash)? extraUser = null)
        => TestNode.StartAsync(o =>
        {
            o.Listeners[0].AllowPlaintextAuth = true;
            o.Auth.MaxFailures = maxFailures;
            o.Auth.MaxFailuresPerUser = maxPerUser;
            if (extraUser is { } u)
            {
                o.Auth.Users.Add(new AuthUserOptions { Name = u.Name, PasswordHash = u.Hash });
            }
        });

    private static async Task<SmtpDialog> HelloAsync(TestNode node) => await node.HelloAsync();

    private static string Auth(string user, string password) => "AUTH PLAIN " + TlsAuthDialogTests.Plain(user, password);
}
