namespace Sluice.Commands;

/// <summary>A CSV line of <c>sluice send --batch</c> that was not sent, and why.</summary>
internal sealed record BatchRefusal(int Line, string To, string Reason);
