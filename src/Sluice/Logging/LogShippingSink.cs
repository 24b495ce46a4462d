using Sluice.Core.Events;

namespace Sluice.Logging;

/// <summary>Hands each delivery event to syslog (as a MSGID <c>delivery</c> message) and to the AMQP exchange (routed by its public name: received, delivered, deferred, bounced, …), whichever are configured.</summary>
internal sealed class LogShippingSink(SyslogSender? syslog, AmqpEventPublisher? amqp) : IEventSink
{
    public void Write(DeliveryEvent entry, string line)
    {
        ArgumentNullException.ThrowIfNull(entry);
        syslog?.Send(6, "delivery", line);
        amqp?.Publish(EventNames.Name(entry.Type), line);
    }
}
