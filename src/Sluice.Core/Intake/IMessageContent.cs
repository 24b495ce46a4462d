namespace Sluice.Core.Intake;

/// <summary>
/// A message the API composed or took whole, written by the intake stage straight into the message
/// buffer after the trace header: no copy of the whole message is made on the way.
/// </summary>
public interface IMessageContent
{
    /// <summary>About how many bytes it will write (sizes the first buffer block; 0 when unknown).</summary>
    long SizeHint { get; }

    ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken);
}
