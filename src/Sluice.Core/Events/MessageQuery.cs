namespace Sluice.Core.Events;

/// <summary>
/// A message search: every given criterion must hold. <see cref="Sender"/> is an address, or
/// <c>@domain</c> for a sending domain; <see cref="Subject"/> matches a part of the subject (any case);
/// <see cref="State"/> matches messages with at least one recipient in that state. Newest first;
/// <see cref="Before"/> is the cursor of the previous page.
/// </summary>
public sealed record MessageQuery(
    string? Recipient = null,
    string? Sender = null,
    string? Subject = null,
    string? Tag = null,
    string? State = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 50,
    MessageCursor? Before = null);
