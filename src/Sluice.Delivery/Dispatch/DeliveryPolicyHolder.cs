namespace Sluice.Delivery.Dispatch;

/// <summary>
/// The current <see cref="DeliveryPolicy"/>. A reload swaps the whole snapshot at once; work in
/// flight finishes under the snapshot it started with, and long-lived state (connections, slow-start
/// windows, rate limiters) lives outside it and is carried over.
/// </summary>
public sealed class DeliveryPolicyHolder(DeliveryOptions options, TimeProvider time, Func<double> random)
{
    private readonly Lock _lock = new();
    private volatile DeliveryPolicy _current = new(options, 1, time.GetUtcNow(), random);

    public DeliveryPolicy Current => _current;

    /// <summary>Raised after a reload took, with the new snapshot.</summary>
    public event Action<DeliveryPolicy>? Reloaded;

    /// <summary>Compiles and installs a validated options object; returns the new snapshot.</summary>
    public DeliveryPolicy Apply(DeliveryOptions reloaded)
    {
        DeliveryPolicy next;
        lock (_lock)
        {
            next = new DeliveryPolicy(reloaded, _current.Generation + 1, time.GetUtcNow(), random);
            _current = next;
        }

        Reloaded?.Invoke(next);
        return next;
    }
}
