namespace Sluice.Commands;

/// <summary>One recipient of <c>sluice send --batch</c>: the CSV line it came from, its address and its variables.</summary>
internal sealed record BatchRow(int Line, string To, Dictionary<string, string> Variables);
