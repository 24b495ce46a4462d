using RabbitMQ.Client;

namespace Sluice.RabbitMq;

/// <summary>One connection to the brokers and its channels: consuming (deliveries and their acks), publishing (with confirms), and admin (gets, declares).</summary>
internal sealed class Session(IConnection connection, IChannel consume, IChannel publish, IChannel admin, int generation) : IAsyncDisposable
{
    public IConnection Connection { get; } = connection;

    public IChannel Consume { get; } = consume;

    public IChannel Publish { get; } = publish;

    public IChannel Admin { get; } = admin;

    public int Generation { get; } = generation;

    /// <summary>Serialises gets and their acks on the admin channel (a get and its ack belong to one channel).</summary>
    public SemaphoreSlim AdminLock { get; } = new(1, 1);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Connection.CloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException or OperationCanceledException)
        {
            // Closing a connection that is already gone.
        }

        Connection.Dispose();
        AdminLock.Dispose();
    }
}
