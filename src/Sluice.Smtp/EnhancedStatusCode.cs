namespace Sluice.Smtp;

/// <summary>An RFC 3463 enhanced mail system status code, <c>class.subject.detail</c>.</summary>
public readonly record struct EnhancedStatusCode(byte Class, short Subject, short Detail)
{
    public override string ToString() => $"{Class}.{Subject}.{Detail}";
}
