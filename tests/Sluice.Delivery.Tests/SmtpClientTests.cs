using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Messages;
using Sluice.Delivery.Smtp;
using Sluice.Testing;

namespace Sluice.Delivery.Tests;

/// <summary>Our SMTP client against the real `sluice sink` executable.</summary>
public sealed class SmtpClientTests : IDisposable
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("Subject: client test\r\n\r\n.leading dot\r\n..two dots\r\nlast line\r\n");
    private readonly TempDirectory _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Send_ToSink_UsesTlsChunkingAndStoresExactBytes()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, address: "127.0.0.2");
        await using var connection = await OpenAsync(sink);

        var outcomes = await connection.SendAsync(Message(Content, "one@dest.test", "two@dest.test"), CancellationToken.None);

        Assert.True(connection.IsTls);
        Assert.True(connection.Capabilities.Chunking);
        Assert.All(outcomes, o => Assert.Equal(DeliveryOutcomeKind.Delivered, o.Outcome.Kind));
        Assert.StartsWith("OK: queued as ", outcomes[0].Outcome.Reply.Text, StringComparison.Ordinal);
        Assert.True((await StoredAsync(outcomes[0])).AsSpan().EndsWith(Content));
    }

    [Theory]
    [InlineData("CHUNKING")]
    [InlineData("PIPELINING")]
    public async Task Send_WithoutExtension_FallsBackAndStoresExactBytes(string hidden)
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, ["--hide", hidden, "--hide", "CHUNKING"]);
        await using var connection = await OpenAsync(sink);

        var outcomes = await connection.SendAsync(Message(Content, "one@dest.test"), CancellationToken.None);

        Assert.False(connection.Capabilities.Chunking);
        Assert.Equal(DeliveryOutcomeKind.Delivered, outcomes[0].Outcome.Kind);
        Assert.True((await StoredAsync(outcomes[0])).AsSpan().EndsWith(Content));
    }

    [Fact]
    public async Task Send_ContentWithoutFinalCrlf_IsTerminatedCorrectlyOverData()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, ["--hide", "CHUNKING"]);
        await using var connection = await OpenAsync(sink);

        var outcomes = await connection.SendAsync(Message("Subject: x\r\n\r\nno final newline"u8.ToArray(), "one@dest.test"), CancellationToken.None);

        Assert.True((await StoredAsync(outcomes[0])).AsSpan().EndsWith("no final newline\r\n"u8));
    }

    [Fact]
    public async Task Send_SomeRecipientsDeferred_SplitsOutcomesPerRecipient()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, ["--rcpt-defer", "50", "--seed", "3"]);
        await using var connection = await OpenAsync(sink);
        var recipients = Enumerable.Range(0, 10).Select(i => $"r{i}@dest.test").ToArray();

        var outcomes = await connection.SendAsync(Message(Content, recipients), CancellationToken.None);

        var delivered = outcomes.Where(o => o.Outcome.Kind == DeliveryOutcomeKind.Delivered).ToList();
        var deferred = outcomes.Where(o => o.Outcome.Kind == DeliveryOutcomeKind.Transient).ToList();
        Assert.NotEmpty(delivered);
        Assert.NotEmpty(deferred);
        Assert.Equal(10, delivered.Count + deferred.Count);
        Assert.All(deferred, o => Assert.Equal("450 4.2.1 Mailbox busy, try later (sink)", o.Outcome.Reply.ToString()));
        var envelope = JsonDocument.Parse(await File.ReadAllTextAsync(EnvelopePath(delivered[0]))).RootElement;
        Assert.Equal(delivered.Select(o => o.Recipient.Address), envelope.GetProperty("recipients").EnumerateArray().Select(r => r.GetProperty("address").GetString()));
    }

    [Fact]
    public async Task Send_AllRecipientsRejected_IsPermanentAndConnectionStaysUsable()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, ["--rcpt-reject", "100"]);
        await using var connection = await OpenAsync(sink);

        var outcomes = await connection.SendAsync(Message(Content, "a@dest.test", "b@dest.test"), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal("550 5.1.1 No such user (sink)", o.Outcome.Reply.ToString()));
        Assert.All(outcomes, o => Assert.Equal(DeliveryOutcomeKind.Permanent, o.Outcome.Kind));
        Assert.True(connection.IsUsable);
    }

    [Fact]
    public async Task Send_DataDeferred_IsTransientAndConnectionIsReused()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, ["--data-defer", "100"]);
        await using var connection = await OpenAsync(sink);

        var first = await connection.SendAsync(Message(Content, "a@dest.test"), CancellationToken.None);
        var second = await connection.SendAsync(Message(Content, "b@dest.test"), CancellationToken.None);

        Assert.Equal(DeliveryOutcomeKind.Transient, first[0].Outcome.Kind);
        Assert.Equal(new Sluice.Smtp.EnhancedStatusCode(4, 7, 1), second[0].Outcome.Reply.Status);
        Assert.True(connection.IsUsable);
    }

    [Fact]
    public async Task Send_ManyMessages_ReuseOneConnection()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path);
        await using (var connection = await OpenAsync(sink))
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(DeliveryOutcomeKind.Delivered, (await connection.SendAsync(Message(Content, $"r{i}@dest.test"), CancellationToken.None))[0].Outcome.Kind);
            }

            Assert.Equal(5, connection.MessagesSent);
            await connection.QuitAsync();
        }

        var stats = await sink.SinkStatsAsync();
        Assert.Equal(1, stats.GetProperty("connections").GetInt64());
        Assert.Equal(5, stats.GetProperty("accepted").GetInt64());
    }

    [Fact]
    public async Task Send_PeerDropsConnection_IsTransientAndConnectionUnusable()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, ["--drop", "100"]);
        await using var connection = await OpenAsync(sink);

        var outcomes = await connection.SendAsync(Message(Content, "a@dest.test"), CancellationToken.None);

        Assert.Equal(DeliveryOutcomeKind.Transient, outcomes[0].Outcome.Kind);
        Assert.Equal(new Sluice.Smtp.EnhancedStatusCode(4, 4, 2), outcomes[0].Outcome.Reply.Status);
        Assert.False(connection.IsUsable);
    }

    [Fact]
    public async Task Send_DsnParameters_ArePassedOn()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path);
        await using var connection = await OpenAsync(sink);
        var envelope = new Envelope("s@src.test", [new EnvelopeRecipient("a@dest.test", "SUCCESS,FAILURE", "rfc822;a@dest.test")], "ENV+2B1", "HDRS");

        var outcomes = await connection.SendAsync(new OutboundMessage(envelope, Content.Length, _ => ValueTask.FromResult<Stream>(new MemoryStream(Content))), CancellationToken.None);

        var stored = JsonDocument.Parse(await File.ReadAllTextAsync(EnvelopePath(outcomes[0]))).RootElement;
        Assert.Equal("HDRS", stored.GetProperty("ret").GetString());
        Assert.Equal("ENV+2B1", stored.GetProperty("envelopeId").GetString());
        Assert.Equal("SUCCESS,FAILURE", stored.GetProperty("recipients")[0].GetProperty("notify").GetString());
        Assert.Equal("rfc822;a@dest.test", stored.GetProperty("recipients")[0].GetProperty("originalRecipient").GetString());
    }

    [Theory]
    [InlineData("8BITMIME", "8BITMIME", false, "554 5.6.3")]
    [InlineData("SMTPUTF8", null, true, "553 5.6.7")]
    public async Task Send_PeerLacksNeededExtension_BouncesWithoutSending(string hidden, string? body, bool utf8, string expected)
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, ["--hide", hidden]);
        await using var connection = await OpenAsync(sink);
        var envelope = new Envelope("s@src.test", [new EnvelopeRecipient("a@dest.test")], BodyType: body, SmtpUtf8: utf8);

        var outcomes = await connection.SendAsync(new OutboundMessage(envelope, Content.Length, _ => ValueTask.FromResult<Stream>(new MemoryStream(Content))), CancellationToken.None);

        Assert.StartsWith(expected, outcomes[0].Outcome.Reply.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64());
    }

    [Fact]
    public async Task Send_LargerThanPeerSize_IsPermanent552WithoutSending()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, ["--max-size", "2048"]);
        await using var connection = await OpenAsync(sink);

        var outcomes = await connection.SendAsync(Message(new byte[4096], "a@dest.test"), CancellationToken.None);

        Assert.StartsWith("552 5.3.4", outcomes[0].Outcome.Reply.ToString(), StringComparison.Ordinal);
        Assert.Equal(2048, connection.Capabilities.MaxSize);
    }

    [Fact]
    public async Task Open_421Greeting_IsTransientFailure()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, ["--connect-refuse", "100"]);

        var (connection, failure) = await SmtpClientConnection.OpenAsync(sink.SmtpEndpoint, "sink", Options(), TimeProvider.System, CancellationToken.None);

        Assert.Null(connection);
        Assert.Equal("421 4.7.0 Too busy, try later (sink)", failure!.Reply.ToString());
        Assert.Equal(DeliveryOutcomeKind.Transient, failure.Kind);
        Assert.Equal((OutcomeCause.PeerReply, SessionPhase.Greeting), (failure.Cause, failure.Phase));
    }

    [Fact]
    public async Task Open_NothingListening_IsTransient441()
    {
        var (connection, failure) = await SmtpClientConnection.OpenAsync(new IPEndPoint(IPAddress.Loopback, FreePort.Next()), "nobody", Options(), TimeProvider.System, CancellationToken.None);

        Assert.Null(connection);
        Assert.Equal(new Sluice.Smtp.EnhancedStatusCode(4, 4, 1), failure!.Reply.Status);
        Assert.Equal(OutcomeCause.ConnectFailed, failure.Cause);
        Assert.Equal(SessionPhase.Connect, failure.Phase);
    }

    [Fact]
    public async Task Open_TlsRequiredButNotOffered_IsTransient474()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path, ["--hide", "STARTTLS"]);
        var options = Options();
        options.Tls = TlsPolicy.Required;

        var (connection, failure) = await SmtpClientConnection.OpenAsync(sink.SmtpEndpoint, "sink", options, TimeProvider.System, CancellationToken.None);

        Assert.Null(connection);
        Assert.Equal(new Sluice.Smtp.EnhancedStatusCode(4, 7, 4), failure!.Reply.Status);
        Assert.Equal(OutcomeCause.TlsFailed, failure.Cause);
    }

    [Fact]
    public async Task Open_SourceAddress_IsUsedForTheConnection()
    {
        await using var sink = await SluiceProcess.StartSinkAsync(_store.Path);
        var options = Options();
        options.SourceAddress = IPAddress.Parse("127.0.0.9");

        await using (var connection = await OpenAsync(sink, options))
        {
            await connection.QuitAsync();
        }

        var log = await File.ReadAllTextAsync(Path.Combine(_store.Path, "connections.jsonl"));
        Assert.Contains("\"remote\":\"127.0.0.9:", log, StringComparison.Ordinal);
    }

    private static SmtpClientOptions Options() => new() { HeloName = "client.sluice.test", ConnectTimeout = TimeSpan.FromSeconds(5), CommandTimeout = TimeSpan.FromSeconds(20) };

    private static async Task<SmtpClientConnection> OpenAsync(SluiceProcess sink, SmtpClientOptions? options = null)
    {
        var (connection, failure) = await SmtpClientConnection.OpenAsync(sink.SmtpEndpoint, "sink.sluice.test", options ?? Options(), new FakeTimeProvider(DateTimeOffset.UtcNow), CancellationToken.None);
        Assert.True(connection is not null, failure?.Reply.ToString());
        return connection;
    }

    private static OutboundMessage Message(byte[] content, params string[] recipients)
        => new(new Envelope("sender@src.test", [.. recipients.Select(r => new EnvelopeRecipient(r))]), content.Length, _ => ValueTask.FromResult<Stream>(new MemoryStream(content)));

    private static string IdOf(RecipientOutcome outcome) => outcome.Outcome.Reply.Text["OK: queued as ".Length..];

    private async Task<byte[]> StoredAsync(RecipientOutcome outcome) => await File.ReadAllBytesAsync(Path.Combine(_store.Path, "new", IdOf(outcome) + ".eml"));

    private string EnvelopePath(RecipientOutcome outcome) => Path.Combine(_store.Path, "envelopes", IdOf(outcome) + ".json");

}
