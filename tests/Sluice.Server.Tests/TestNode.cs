using Sluice.Core.Intake;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Queue;
using Sluice.Core.Telemetry;
using Sluice.Server.Auth;
using Sluice.Server.Configuration;
using Sluice.Server.Hosting;
using Sluice.Storage;
using Sluice.Testing;

namespace Sluice.Server.Tests;

/// <summary>An SMTP server on 127.0.0.1:0 over a real spool in a temp folder.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "correct horse";
    private static readonly string PasswordHash = PasswordHasher.Hash(Password, 1000);
    private readonly TestMeterFactory _meters = new();

    private TestNode(string directory, SmtpServerOptions options, TimeProvider time, IMessageStore? queue)
    {
        Directory = directory;
        Time = time;
        Metrics = new SluiceMetrics(_meters);
        Spool = SqliteSpool.Open(new SpoolOptions { Directory = directory }, time, NullLogger.Instance, Metrics);
        var intake = new IntakeStage(queue ?? Spool, new IntakePolicy(options.LocalDomains, null, null, time), null, options.Hostname!, Path.Combine(directory, "tmp"));
        Server = new SmtpServer(options, directory, intake, Metrics, time, NullLogger<SmtpServer>.Instance);
    }

    public string Directory { get; }

    public TimeProvider Time { get; }

    public SluiceMetrics Metrics { get; }

    public SqliteSpool Spool { get; }

    public SmtpServer Server { get; }

    public IPEndPoint Endpoint => Server.BoundEndpoints[0];

    public static async Task<TestNode> StartAsync(Action<SmtpServerOptions>? configure = null, TimeProvider? time = null, IMessageStore? queue = null)
    {
        var options = new SmtpServerOptions
        {
            Hostname = "mx.test.example",
            LocalDomains = ["local.example"],
            Auth = new AuthOptions { Users = [new AuthUserOptions { Name = User, PasswordHash = PasswordHash }] },
            Listeners =
            [
                new SmtpListenerOptions
                {
                    Name = "test",
                    Address = "127.0.0.1:0",
                    Role = ListenerRole.Relay,
                    TrustedNetworks = ["127.0.0.0/8"],
                },
            ],
        };
        configure?.Invoke(options);
        var directory = Path.Combine(Path.GetTempPath(), "sluice-server-test-" + Guid.NewGuid().ToString("N"));
        var node = new TestNode(directory, options, time ?? TimeProvider.System, queue);
        await node.Server.StartAsync(CancellationToken.None);
        return node;
    }

    public Task<SmtpDialog> ConnectAsync(bool readGreeting = true) => SmtpDialog.ConnectAsync(Endpoint, readGreeting);

    /// <summary>Connects and says EHLO.</summary>
    public async Task<SmtpDialog> HelloAsync()
    {
        var dialog = await ConnectAsync();
        Assert.StartsWith("250", await dialog.CommandAsync("EHLO client.example"), StringComparison.Ordinal);
        return dialog;
    }

    public async Task<byte[]> ContentAsync(string id)
    {
        await using var stream = await Spool.OpenContentAsync(new Core.Messages.MessageId(id), CancellationToken.None)
            ?? throw new InvalidOperationException($"{id} is not in the spool");
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms);
        return ms.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        // Bounded: a session that never ends must fail a test, not hang the run.
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await Server.StopAsync(stop.Token);
        }

        await Server.DisposeAsync();
        await Spool.DisposeAsync();
        _meters.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
