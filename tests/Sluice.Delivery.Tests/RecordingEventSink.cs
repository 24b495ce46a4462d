using System.Collections.Concurrent;
using Sluice.Core.Events;

namespace Sluice.Delivery.Tests;

/// <summary>Keeps every event the delivery event log is told of, for a test to look at.</summary>
internal sealed class RecordingEventSink : IEventSink
{
    private readonly ConcurrentQueue<DeliveryEvent> _events = new();

    public IReadOnlyList<DeliveryEvent> Events => [.. _events];

    public void Write(DeliveryEvent entry, string line) => _events.Enqueue(entry);
}
