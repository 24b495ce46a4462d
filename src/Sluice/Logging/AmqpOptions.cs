namespace Sluice.Logging;

/// <summary>The <c>Logging:Amqp</c> section: publish every delivery event to an AMQP exchange (Logstash's RabbitMQ input, or any consumer).</summary>
public sealed class AmqpOptions
{
    /// <summary><c>amqp://USER:PASSWORD@HOST:PORT/VHOST</c> (or <c>amqps://</c>); none: no publishing.</summary>
    public string? Uri { get; set; }

    /// <summary>A durable topic exchange, declared at connect; the routing key is the event's type (<c>reception</c>, <c>delivery</c>, <c>transientfailure</c>, <c>bounce</c>, <c>expiration</c>, …).</summary>
    public string Exchange { get; set; } = "sluice.events";
}
