using System.Text;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Sluice.Logging;

/// <summary>
/// Publishes delivery events (their JSON lines) to a durable topic exchange, persistent, routed by
/// the event's type. Best effort, like the log: the mail path never waits for the broker — events
/// go through a bounded queue to a background task; when the queue is full or the broker is away
/// they are dropped and counted (the event log on disk stays the record), and after a failure the
/// connection is tried again at most every five seconds.
/// </summary>
internal sealed class AmqpEventPublisher : IAsyncDisposable
{
    private const int QueueLength = 10_000;
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
    private readonly Channel<(string RoutingKey, byte[] Body)> _queue = Channel.CreateBounded<(string, byte[])>(new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly AmqpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _publishing;
    private long _dropped;

    public AmqpEventPublisher(AmqpOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _publishing = Task.Run(PublishAsync);
    }

    /// <summary>Events not published: the queue was full or the broker could not be reached.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Publish(string routingKey, string json)
    {
        if (!_queue.Writer.TryWrite((routingKey, Encoding.UTF8.GetBytes(json))))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _publishing.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    private async Task PublishAsync()
    {
        IConnection? connection = null;
        IChannel? channel = null;
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };
        long retryAt = 0;
        try
        {
            await foreach (var (routingKey, body) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (channel is null && retryAt != 0 && _time.GetTimestamp() < retryAt)
                {
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                try
                {
                    if (channel is null)
                    {
                        var factory = new ConnectionFactory { Uri = new Uri(_options.Uri!), ClientProvidedName = "sluice events" };
                        connection = await factory.CreateConnectionAsync().ConfigureAwait(false);
                        channel = await connection.CreateChannelAsync().ConfigureAwait(false);
                        await channel.ExchangeDeclareAsync(_options.Exchange, ExchangeType.Topic, durable: true).ConfigureAwait(false);
                        retryAt = 0;
                        LoggingLog.AmqpConnected(_logger, _options.Exchange);
                    }

                    await channel.BasicPublishAsync(_options.Exchange, routingKey, mandatory: false, properties, body).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException or IOException or TimeoutException)
                {
                    Interlocked.Increment(ref _dropped);
                    LoggingLog.AmqpFailed(_logger, ex.Message, Dropped);
                    await CloseAsync(channel, connection).ConfigureAwait(false);
                    channel = null;
                    connection = null;
                    retryAt = _time.GetTimestamp() + (long)(RetryAfter.TotalSeconds * _time.TimestampFrequency);
                }
            }
        }
        finally
        {
            await CloseAsync(channel, connection).ConfigureAwait(false);
        }
    }

    private static async Task CloseAsync(IChannel? channel, IConnection? connection)
    {
        try
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // Closing what the broker already closed.
        }
    }
}
