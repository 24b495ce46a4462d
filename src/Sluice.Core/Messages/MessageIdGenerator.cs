using System.Security.Cryptography;

namespace Sluice.Core.Messages;

/// <summary>
/// Makes ULID-style ids: sortable by reception time, unique without coordination. Within one
/// millisecond the random part is incremented, so ids from one node are strictly increasing.
/// </summary>
public sealed class MessageIdGenerator
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private readonly TimeProvider _time;
    private readonly Action<Span<byte>> _fillRandom;
    private readonly Lock _lock = new();
    private readonly byte[] _random = new byte[10];

    // Random bytes for the next 32 milliseconds' ids, drawn at once: each draw is a call into
    // OpenSSL's generator with a getpid(2) of its own (its fork check), once a message at full rate.
    private readonly byte[] _pool = new byte[10 * 32];
    private int _poolUsed = 10 * 32;
    private long _lastMs = -1;

    public MessageIdGenerator(TimeProvider time, Action<Span<byte>>? fillRandom = null)
    {
        _time = time;
        _fillRandom = fillRandom ?? RandomNumberGenerator.Fill;
    }

    public MessageId Next()
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_lock)
        {
            var ms = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (ms <= _lastMs)
            {
                ms = _lastMs;
                Increment(_random);
            }
            else
            {
                if (_poolUsed == _pool.Length)
                {
                    _fillRandom(_pool);
                    _poolUsed = 0;
                }

                _pool.AsSpan(_poolUsed, _random.Length).CopyTo(_random);
                _poolUsed += _random.Length;
                _lastMs = ms;
            }

            for (var i = 0; i < 6; i++)
            {
                bytes[i] = (byte)(ms >> (8 * (5 - i)));
            }

            _random.CopyTo(bytes[6..]);
        }

        return new MessageId(Encode(bytes));
    }

    public static DateTimeOffset TimestampOf(MessageId id)
    {
        long ms = 0;
        for (var i = 0; i < 10; i++)
        {
            ms = (ms << 5) | (long)Alphabet.IndexOf(id.Value[i], StringComparison.Ordinal);
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    private static void Increment(byte[] value)
    {
        for (var i = value.Length - 1; i >= 0; i--)
        {
            if (++value[i] != 0)
            {
                return;
            }
        }
    }

    private static string Encode(ReadOnlySpan<byte> bytes)
    {
        // 128 bits as 26 base32 digits, most significant first (the top 2 bits of the first digit are zero).
        var hi = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var lo = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        var value = new UInt128(hi, lo);
        return string.Create(26, value, static (chars, v) =>
        {
            for (var i = 25; i >= 0; i--)
            {
                chars[i] = Alphabet[(int)(ulong)(v & 31)];
                v >>= 5;
            }
        });
    }
}
