namespace Sluice.Delivery.Feedback;

/// <summary>How an unsubscribe came: RFC 8058 one-click POST, or a mail to the List-Unsubscribe mailto address.</summary>
public enum UnsubscribeMethod
{
    OneClick,
    Mailto,
}
