namespace Sluice.Core.Events;

/// <summary>
/// Told of every event the delivery event log takes, with its JSON line, whatever the disk: log
/// shipping (syslog, AMQP) and the message index. Called on the path that produced the event, so an
/// implementation hands the event on and returns; it never throws.
/// </summary>
public interface IEventSink
{
    void Write(DeliveryEvent entry, string line);
}
