using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Sluice.Core.Queue;

namespace Sluice.RabbitMq;

public sealed partial class RabbitMqQueue
{
    private async Task ConnectLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                var session = await OpenSessionAsync(lost, token).ConfigureAwait(false);
                _session = session;
                _up.TrySetResult();
                _firstConnection.TrySetResult();
                Signal();
                var reason = await lost.Task.WaitAsync(token).ConfigureAwait(false);
                Lose(session, reason);
                await session.DisposeAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException or TimeoutException or System.Net.Sockets.SocketException)
            {
                if (_gate.ShouldLog("connect", out var unlogged))
                {
                    RabbitMqLog.Unreachable(_logger, ex.Message, unlogged);
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The connection is gone: what this node held goes back to the brokers by itself; forget it here.</summary>
    private void Lose(Session session, string reason)
    {
        if (ReferenceEquals(_session, session))
        {
            Interlocked.Exchange(ref _lostAt, _time.GetTimestamp());
            _up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _session = null;
        }

        Interlocked.Increment(ref _generation);
        RabbitMqLog.ConnectionLost(_logger, reason, _inHand.Count);
        _inHand.Clear();
        while (_ready.Reader.TryRead(out _))
        {
        }
    }

    private async Task<Session> OpenSessionAsync(TaskCompletionSource<string> lost, CancellationToken token)
    {
        var uris = _options.Uris.ConvertAll(u => new Uri(u));
        var factory = new ConnectionFactory
        {
            Uri = uris[0],
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(10),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            ClientProvidedName = "sluice node " + Environment.MachineName,
        };
        var connection = await factory.CreateConnectionAsync(uris.ConvertAll(u => new AmqpTcpEndpoint(u)), token).ConfigureAwait(false);
        try
        {
            connection.ConnectionShutdownAsync += (_, e) =>
            {
                lost.TrySetResult(e.ReplyText);
                return Task.CompletedTask;
            };
            connection.ConnectionBlockedAsync += (_, _) =>
            {
                _blocked = true;
                return Task.CompletedTask;
            };
            connection.ConnectionUnblockedAsync += (_, _) =>
            {
                _blocked = false;
                return Task.CompletedTask;
            };
            var consume = await connection.CreateChannelAsync(cancellationToken: token).ConfigureAwait(false);
            var publish = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), token).ConfigureAwait(false);
            var admin = await connection.CreateChannelAsync(cancellationToken: token).ConfigureAwait(false);
            foreach (var channel in new[] { consume, publish, admin })
            {
                channel.ChannelShutdownAsync += (_, e) =>
                {
                    // A channel the broker closed (an error) ends the session as a whole: one generation of tags.
                    lost.TrySetResult(e.ReplyText);
                    return Task.CompletedTask;
                };
            }

            await QueueTopology.DeclareAsync(admin, _options.Shards, token).ConfigureAwait(false);
            var generation = Interlocked.Increment(ref _generation);
            var session = new Session(connection, consume, publish, admin, generation);
            await consume.BasicQosAsync(0, (ushort)_options.Prefetch, global: false, token).ConfigureAwait(false);
            // A node that does not deliver only publishes: what it took would wait in its hands.
            if (_consumes && _options.Role == NodeRole.Active)
            {
                await ConsumeAllAsync(session, token).ConfigureAwait(false);
            }
            else if (_consumes)
            {
                _ = Task.Run(() => StandByAsync(session, lost.Task), CancellationToken.None);
            }

            RabbitMqLog.Connected(_logger, connection.Endpoint, _options.Shards, _options.Prefetch);
            return session;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Consumes every shard and the due queue; returns the consumer tags.</summary>
    private async Task<List<string>> ConsumeAllAsync(Session session, CancellationToken token)
    {
        var tags = new List<string>(_options.Shards + 1);
        foreach (var queue in DueQueues())
        {
            var consumer = new AsyncEventingBasicConsumer(session.Consume);
            consumer.ReceivedAsync += (_, delivery) => ReceiveAsync(session, queue, delivery);
            tags.Add(await session.Consume.BasicConsumeAsync(queue, autoAck: false, consumer, token).ConfigureAwait(false));
        }

        return tags;
    }

    /// <summary>
    /// A standby's watch, once a second while its connection stands: consume when no other node
    /// consumes any of the queues, stop (cancel, finishing what it holds) when another does again.
    /// </summary>
    private async Task StandByAsync(Session session, Task lost)
    {
        List<string>? tags = null;
        var token = _stopping.Token;
        try
        {
            while (!lost.IsCompleted && !token.IsCancellationRequested)
            {
                var others = 0L;
                foreach (var queue in DueQueues())
                {
                    var consumers = (await ProbeAsync(session, queue, token).ConfigureAwait(false))?.ConsumerCount ?? 0;
                    others = Math.Max(others, consumers - (tags is null ? 0 : 1));
                }

                if (tags is null && others == 0)
                {
                    RabbitMqLog.TakingOver(_logger);

                    // Consuming from the first registration on: deliveries may arrive before the last.
                    _standbyConsuming = true;
                    tags = await ConsumeAllAsync(session, token).ConfigureAwait(false);
                }
                else if (tags is not null && others > 0)
                {
                    RabbitMqLog.GivingBack(_logger);
                    foreach (var tag in tags)
                    {
                        await session.Consume.BasicCancelAsync(tag, cancellationToken: token).ConfigureAwait(false);
                    }

                    tags = null;
                    _standbyConsuming = false;
                }

                await Task.WhenAny(lost, Task.Delay(TimeSpan.FromSeconds(1), _time, token)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // The connection or the node is going: the next connection starts a new watch.
        }
        finally
        {
            _standbyConsuming = false;
        }
    }

    private async Task ReceiveAsync(Session session, string queue, BasicDeliverEventArgs delivery)
    {
        var entry = ClusterMessage.Read(delivery.BasicProperties, delivery.Body.Length, QueueMessageState.InFlight);
        if (entry is null)
        {
            RabbitMqLog.Foreign(_logger, delivery.BasicProperties.MessageId, queue);
            if (await PublishAsync(session, QueueNames.Dead, new BasicProperties(delivery.BasicProperties), delivery.Body.ToArray(), "dead-letter a foreign message", _stopping.Token).ConfigureAwait(false))
            {
                await session.Consume.BasicAckAsync(delivery.DeliveryTag, multiple: false).ConfigureAwait(false);
            }

            return;
        }

        // A retry tier shorter than the wait left let it out early: on to the next tier, no attempt counted.
        var wait = entry.NextAttemptAt - _time.GetUtcNow();
        if (QueueNames.TierFor(wait) is { } tier)
        {
            if (await PublishAsync(session, QueueNames.RetryTier(tier), new BasicProperties(delivery.BasicProperties), delivery.Body.ToArray(), "wait again", _stopping.Token).ConfigureAwait(false))
            {
                await session.Consume.BasicAckAsync(delivery.DeliveryTag, multiple: false).ConfigureAwait(false);
            }

            return;
        }

        if (delivery.Redelivered && _ledger is not null)
        {
            // Its consumer died with it in hand: whoever was delivered meanwhile is not sent to again.
            var delivered = await _ledger.DeliveredAsync(entry.Id, _stopping.Token).ConfigureAwait(false);
            if (delivered.Count > 0)
            {
                var left = new List<Core.Messages.EnvelopeRecipient>(entry.Envelope.Recipients.Count);
                foreach (var recipient in entry.Envelope.Recipients)
                {
                    if (!delivered.Contains(recipient.Address))
                    {
                        left.Add(recipient);
                    }
                }

                if (left.Count == 0)
                {
                    await session.Consume.BasicAckAsync(delivery.DeliveryTag, multiple: false).ConfigureAwait(false);
                    return;
                }

                entry = entry with { Envelope = entry.Envelope with { Recipients = left } };
            }
        }

        var message = new InHand(entry, delivery.Body.ToArray(), delivery.DeliveryTag, session.Generation, delivery.Redelivered);
        if (_inHand.TryGetValue(entry.Id, out var earlier) && earlier.Generation == session.Generation)
        {
            // The same message twice on one connection (published twice by a sender that retried):
            // one copy is enough; the later one is settled as the earlier one is.
            await session.Consume.BasicAckAsync(delivery.DeliveryTag, multiple: false).ConfigureAwait(false);
            return;
        }

        _inHand[entry.Id] = message;
        _ready.Writer.TryWrite(message);
        Signal();
    }

    /// <summary>Publishes and waits for the brokers' confirmation (a majority of a quorum queue's replicas); false, logged, when they did not confirm.</summary>
    private async Task<bool> PublishAsync(Session session, string queue, BasicProperties properties, ReadOnlyMemory<byte> body, string operation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConfirmTimeout);
        try
        {
            // mandatory: a queue that is missing must be an error, not a message dropped unseen.
            await session.Publish.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is PublishException or AlreadyClosedException or OperationInterruptedException or OperationCanceledException or IOException)
        {
            if (_gate.ShouldLog(operation, out var unlogged))
            {
                RabbitMqLog.PublishFailed(_logger, operation, ex.Message, unlogged);
            }

            return false;
        }
    }
}
