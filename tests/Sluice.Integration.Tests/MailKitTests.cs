using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>MailKit's SmtpClient as a real client: STARTTLS, AUTH, PIPELINING and CHUNKING against the real executable.</summary>
public sealed class MailKitTests : IAsyncLifetime
{
    private const string Password = "mailkit-pass";
    private readonly TempDirectory _dir = new();
    private SluiceProcess _node = null!;
    private int _submissionPort;

    public async Task InitializeAsync()
    {
        _submissionPort = FreePort.Next();
        var config = Path.Combine(_dir.Path, "sluice.json");
        var hash = Server.Auth.PasswordHasher.Hash(Password, 10_000);
        await File.WriteAllTextAsync(config, $$"""
            {
              "Smtp": {
                "Hostname": "mx.integration.example",
                "Listeners": [
                  { "Name": "relay", "Address": "127.0.0.1:{{FreePort.Next()}}", "Role": "Relay" },
                  { "Name": "submission", "Address": "127.0.0.1:{{_submissionPort}}", "Role": "Submission" }
                ],
                "Auth": { "Users": [ { "Name": "app", "PasswordHash": "{{hash}}" } ] }
              }
            }
            """);
        _node = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "data"), ["--config", config]);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Send_StartTlsAndAuthOnSubmission_IsQueuedAsSent()
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@sender.example"));
        message.To.Add(MailboxAddress.Parse("one@remote.example"));
        message.To.Add(MailboxAddress.Parse("two@remote.example"));
        message.Subject = "MailKit interop";
        message.Body = new TextPart("plain") { Text = "Hello from MailKit.\n.leading dot line\nÜnïcödé body" };

        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", _submissionPort, SecureSocketOptions.StartTls);
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Chunking));
        Assert.True(client.IsSecure);
        await client.AuthenticateAsync("app", Password);
        var response = await client.SendAsync(message);
        await client.DisconnectAsync(true);

        Assert.StartsWith("2.0.0 OK: queued as ", response, StringComparison.Ordinal);
        var id = response["2.0.0 OK: queued as ".Length..];
        await _node.TerminateAsync(TimeSpan.FromSeconds(30));
        await using var spool = Storage.SqliteSpool.Open(new Storage.SpoolOptions { Directory = _node.DataDirectory }, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var entry = await spool.GetAsync(new Core.Messages.MessageId(id), CancellationToken.None);
        Assert.NotNull(entry);
        Assert.Equal("app", entry.Envelope.AuthenticatedUser);
        Assert.Equal(["one@remote.example", "two@remote.example"], entry.Envelope.Recipients.Select(r => r.Address));
        await using var stream = await spool.OpenContentAsync(entry.Id, CancellationToken.None);
        var stored = await MimeMessage.LoadAsync(stream!);
        Assert.Equal("MailKit interop", stored.Subject);
        Assert.Equal(message.MessageId, stored.MessageId);
        Assert.Contains(".leading dot line", stored.TextBody, StringComparison.Ordinal);
        Assert.Contains("Ünïcödé", stored.TextBody, StringComparison.Ordinal);
        Assert.Contains("with ESMTPSA id " + id, stored.Headers[HeaderId.Received], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swaks_StartTlsAndAuthLoginOnSubmission_IsQueuedAndAuthDataNeverLogged()
    {
        var (code, transcript) = await Swaks.RunAsync(
            "--server", $"127.0.0.1:{_submissionPort}", "--from", "app@sender.example", "--to", "x@remote.example",
            "--tls", "--auth", "LOGIN", "--auth-user", "app", "--auth-password", Password);
        var (badCode, badTranscript) = await Swaks.RunAsync(
            "--server", $"127.0.0.1:{_submissionPort}", "--from", "app@sender.example", "--to", "x@remote.example",
            "--tls", "--auth", "PLAIN", "--auth-user", "app", "--auth-password", "Wr0ngSecret");

        Assert.True(code == 0, transcript);
        Assert.Contains("235 2.7.0 Authentication successful", transcript, StringComparison.Ordinal);
        ServeTests.QueuedId(transcript);
        Assert.NotEqual(0, badCode);
        Assert.Contains("535 5.7.8", badTranscript, StringComparison.Ordinal);
        // The console logger writes from a background queue: poll for the line with a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_node.Output.Contains("Authentication failed from 127.0.0.1", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var log = _node.Output;
        Assert.Contains("Authentication failed from 127.0.0.1", log, StringComparison.Ordinal);
        foreach (var secret in new[] { Password, "Wr0ngSecret", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Password)), Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("\0app\0Wr0ngSecret")) })
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Send_SubmissionWithoutAuth_IsRefused()
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@sender.example"));
        message.To.Add(MailboxAddress.Parse("one@remote.example"));
        message.Body = new TextPart("plain") { Text = "x" };

        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", _submissionPort, SecureSocketOptions.StartTls);
        // MailKit maps our 530 5.7.0 to its "not authenticated" exception.
        var ex = await Assert.ThrowsAsync<MailKit.ServiceNotAuthenticatedException>(() => client.SendAsync(message));

        Assert.Contains("Authentication required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authenticate_WrongPassword_IsRefused()
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", _submissionPort, SecureSocketOptions.StartTls);

        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("app", "nope"));
    }
}
