using System.Buffers;
using System.Globalization;
using System.Text;

namespace Sluice.Smtp;

/// <summary>
/// One SMTP reply: a three-digit code, an optional RFC 3463 enhanced status code and text.
/// Mail semantics travel as these values, never as exceptions. Multi-line text is split on
/// '\n' and written with the RFC 5321 §4.2.1 continuation form (<c>250-</c> … <c>250 </c>).
/// The wire form is encoded once, so a reply kept in a static field costs nothing to send.
/// </summary>
public sealed class SmtpReply : IEquatable<SmtpReply>
{
    private readonly byte[] _wire;

    public SmtpReply(int code, EnhancedStatusCode? status, string text)
    {
        if (code is < 200 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "SMTP reply codes are 2xx to 5xx.");
        }

        Code = code;
        Status = status;
        Text = text;
        _wire = Encode(code, status, text);
    }

    public int Code { get; }

    public EnhancedStatusCode? Status { get; }

    public string Text { get; }

    public bool IsPositive => Code < 400;

    public bool IsTransient => Code is >= 400 and < 500;

    public bool IsPermanent => Code >= 500;

    /// <summary>The first digit: 2, 3, 4 or 5.</summary>
    public int Class => Code / 100;

    public ReadOnlySpan<byte> Wire => _wire;

    public static SmtpReply Create(int code, string status, string text)
        => new(code, ParseStatus(status), text);

    /// <summary>
    /// Parses a reply written as text, <c>"451 4.7.1 Try again later"</c> or <c>"250 OK"</c>, for replies
    /// given on a command line or in configuration. Returns false when it is not CODE [X.Y.Z] TEXT.
    /// </summary>
    public static bool TryParse(string? text, out SmtpReply? reply)
    {
        reply = null;
        if (text is null || text.Length < 3 || !int.TryParse(text.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            || code is < 200 or > 599 || (text.Length > 3 && text[3] != ' '))
        {
            return false;
        }

        var rest = text.Length > 4 ? text[4..] : string.Empty;
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        var first = space < 0 ? rest : rest[..space];
        EnhancedStatusCode? status = null;
        if (EnhancedStatusCode.TryParse(first, code, out var parsed))
        {
            status = parsed;
            rest = space < 0 ? string.Empty : rest[(space + 1)..];
        }

        reply = new SmtpReply(code, status, rest);
        return true;
    }

    public static EnhancedStatusCode ParseStatus(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return EnhancedStatusCode.TryParse(status, 0, out var parsed) ? parsed : throw new FormatException($"'{status}' is not an enhanced status code.");
    }

    /// <summary>Writes the reply in wire form, CRLF after every line.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(_wire);
    }

    public bool Equals(SmtpReply? other)
        => other is not null && other.Code == Code && other.Status == Status && other.Text == Text;

    public override bool Equals(object? obj) => Equals(obj as SmtpReply);

    public override int GetHashCode() => HashCode.Combine(Code, Status, Text);

    public override string ToString()
        => Status is { } s ? $"{Code} {s} {Text}" : $"{Code} {Text}";

    private static byte[] Encode(int code, EnhancedStatusCode? status, string text)
    {
        var prefix = status is { } s ? s.ToString() + " " : string.Empty;
        var lines = text.Split('\n');
        var builder = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            var separator = i == lines.Length - 1 ? ' ' : '-';
            builder.Append(CultureInfo.InvariantCulture, $"{code}{separator}{prefix}{lines[i].TrimEnd('\r')}\r\n");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
