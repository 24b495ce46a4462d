namespace Sluice.Core.Messages;

/// <summary>A 26-character, time-ordered message id (ULID layout: 48-bit milliseconds, 80 random bits, Crockford base32).</summary>
public readonly record struct MessageId(string Value)
{
    public override string ToString() => Value;
}
