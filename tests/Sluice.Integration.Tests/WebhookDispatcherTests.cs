using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Events;
using Sluice.Core.Telemetry;
using Sluice.Core.Webhooks;
using Sluice.Storage.Events;
using Sluice.Testing;
using Sluice.Webhooks;

namespace Sluice.Integration.Tests;

/// <summary>The dispatcher's own resilience, with a fake clock and store: a loop that dies on a storage failure comes back from its stored cursor.</summary>
public sealed class WebhookDispatcherTests
{
    [Fact]
    public async Task Loop_StoreFailsAfterAPost_RestartedAtTheNextLookAndThePostRepeated()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        await using var index = SqlEventIndex.Start(SqliteEventDatabase.Open(dir.Path), time, NullLogger.Instance, batchInterval: TimeSpan.Zero);
        var store = new FailingOnceStore(new Webhook("wh_1", new Uri("http://receiver.test/hook"), "whsec_0123456789abcdef", EventNames.Bit(DeliveryEventType.Reception), time.GetUtcNow(), true, 0));
        var handler = new RecordingHandler();
        using var meters = new TestMeterFactory();
        var metrics = new SluiceMetrics(meters);
        using var dispatcher = new WebhookDispatcher(store, index, new WebhookOptions(), time, metrics, NullLogger<WebhookDispatcher>.Instance, handler);
        index.Write(new DeliveryEvent(time.GetUtcNow(), DeliveryEventType.Reception, "m1", "r@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1), string.Empty);
        await index.FlushAsync(CancellationToken.None);

        await dispatcher.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => Task.FromResult(handler.Posts == 1 && store.Failed), TimeSpan.FromSeconds(10), "the first post and the failed cursor update");

        // The next periodic look finds the loop ended and starts it again from the stored cursor (0).
        time.Advance(TimeSpan.FromSeconds(31));
        await Poll.UntilAsync(() => Task.FromResult(handler.Posts == 2), TimeSpan.FromSeconds(10), "the same event posted again");
        await Poll.UntilAsync(() => Task.FromResult(store.Cursor > 0), TimeSpan.FromSeconds(10), "the cursor stored after the repeat");
        await dispatcher.StopAsync(CancellationToken.None);

        Assert.Equal(handler.Bodies[0], handler.Bodies[1]);
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<string> Bodies { get; } = [];

        public int Posts
        {
            get
            {
                lock (Bodies)
                {
                    return Bodies.Count;
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            lock (Bodies)
            {
                Bodies.Add(body);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    /// <summary>One webhook in memory; the first cursor update fails as a locked database would.</summary>
    private sealed class FailingOnceStore(Webhook webhook) : IWebhookStore
    {
        private int _advances;

        public bool Failed => Volatile.Read(ref _advances) > 0;

        public long Cursor { get; private set; }

        public Task AdvanceAsync(string id, long cursor, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _advances) == 1)
            {
                throw new SqliteException("database is locked", 5);
            }

            Cursor = Math.Max(Cursor, cursor);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<Webhook>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Webhook>>([webhook with { Cursor = Cursor }]);

        public Task<Webhook?> GetAsync(string id, CancellationToken cancellationToken) => Task.FromResult<Webhook?>(webhook with { Cursor = Cursor });

        public Task AddAsync(Webhook added, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> UpdateAsync(string id, int? eventMask, bool? enabled, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> RemoveAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeadLetterAsync(WebhookDeadLetter letter, long cursor, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<WebhookDeadLetter>> DeadLettersAsync(string webhookId, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<WebhookDeadLetter>>([]);

        public Task<bool> RemoveDeadLetterAsync(long id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IWebhookClaim?> ClaimAsync(string id, CancellationToken cancellationToken) => Task.FromResult<IWebhookClaim?>(WebhookClaims.Always);

        public Task UpdateDeadLetterAsync(long id, int attempts, string lastError, DateTimeOffset failedAt, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
