using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>Delivery events published to an AMQP exchange of a real RabbitMQ and consumed from a queue bound to it.</summary>
public sealed partial class AmqpEventsTests
{
    [Fact]
    public async Task Serve_AmqpConfigured_ReceptionEventConsumedFromTheExchange()
    {
        using var broker = await RabbitMqServer.StartAsync();
        var factory = new ConnectionFactory { Uri = broker.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // The consumer's side, as Logstash's RabbitMQ input would have it: the exchange, a queue bound to every event.
        await channel.ExchangeDeclareAsync("sluice.events", ExchangeType.Topic, durable: true);
        var queue = (await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, "sluice.events", "#");

        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, $$"""{ "Logging": { "Amqp": { "Uri": "{{broker.AmqpUri}}" } } }""");
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), ["--config", config]);
        string id;
        await using (var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint))
        {
            await dialog.CommandAsync("EHLO amqp.test");
            await dialog.BeginDataAsync("s@sender.example", "r@rcpt.example");
            id = QueuedAs().Match(await dialog.CommandAsync("Subject: amqp\r\n\r\nx\r\n.")).Groups[1].Value;
        }

        BasicGetResult? got = null;
        await Poll.UntilAsync(async () => (got = await channel.BasicGetAsync(queue, autoAck: true)) is not null, TimeSpan.FromSeconds(30), "an event on the queue", () => node.Output);

        Assert.Equal("received", got!.RoutingKey);
        Assert.Equal("application/json", got.BasicProperties.ContentType);
        Assert.Equal(DeliveryModes.Persistent, got.BasicProperties.DeliveryMode);
        var e = EventFiles.Parse(Encoding.UTF8.GetString(got.Body.Span));
        Assert.Equal(id, e.MessageId);
        Assert.Equal("r@rcpt.example", e.Recipient);
        Assert.Equal("received", e.Type);
        Assert.Equal("amqp", e.Raw.GetProperty("email").GetProperty("subject").GetString());
    }

    [GeneratedRegex("^250 2.0.0 OK: queued as ([0-9A-Z]{26})")]
    private static partial Regex QueuedAs();
}
