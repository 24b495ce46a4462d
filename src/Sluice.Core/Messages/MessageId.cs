namespace Sluice.Core.Messages;

/// <summary>A 26-character, time-ordered message id (ULID layout: 48-bit milliseconds, 80 random bits, Crockford base32).</summary>
public readonly record struct MessageId(string Value)
{
    public override string ToString() => Value;

    /// <summary>When the id was made (its first ten characters, ULID's milliseconds); null when it is not shaped like one.</summary>
    public DateTimeOffset? Timestamp
    {
        get
        {
            const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
            if (Value is not { Length: 26 })
            {
                return null;
            }

            long ms = 0;
            for (var i = 0; i < 10; i++)
            {
                var digit = Crockford.IndexOf(char.ToUpperInvariant(Value[i]), StringComparison.Ordinal);
                if (digit < 0)
                {
                    return null;
                }

                ms = (ms << 5) | (uint)digit;
            }

            return ms <= 253402300799999 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }
}
