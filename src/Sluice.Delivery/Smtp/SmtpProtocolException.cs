namespace Sluice.Delivery.Smtp;

/// <summary>The peer broke the protocol (not a mail outcome): the connection is discarded.</summary>
public sealed class SmtpProtocolException : Exception
{
    public SmtpProtocolException()
    {
    }

    public SmtpProtocolException(string message)
        : base(message)
    {
    }

    public SmtpProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
