namespace Sluice.Delivery.Dns;

/// <summary>The TXT strings at a name (each record's strings joined), good until <see cref="ExpiresAt"/>.</summary>
public sealed record TxtAnswer(IReadOnlyList<string> Texts, DateTimeOffset ExpiresAt);
