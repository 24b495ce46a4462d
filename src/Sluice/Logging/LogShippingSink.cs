using Sluice.Core.Events;

namespace Sluice.Logging;

/// <summary>Hands each delivery event to syslog (as a MSGID <c>delivery</c> message) and to the AMQP exchange (routed by its type), whichever are configured.</summary>
internal sealed class LogShippingSink(SyslogSender? syslog, AmqpEventPublisher? amqp) : IEventSink
{
    // Routing keys computed once, not per event.
    private static readonly string[] RoutingKeys = Enum.GetValues<DeliveryEventType>().Select(t => t.ToString().ToLowerInvariant()).ToArray();

    public void Write(DeliveryEvent entry, string line)
    {
        ArgumentNullException.ThrowIfNull(entry);
        syslog?.Send(6, "delivery", line);
        amqp?.Publish((uint)entry.Type < (uint)RoutingKeys.Length ? RoutingKeys[(int)entry.Type] : entry.Type.ToString().ToLowerInvariant(), line);
    }
}
