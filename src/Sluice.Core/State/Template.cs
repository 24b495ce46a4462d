namespace Sluice.Core.State;

/// <summary>One version of a stored template (Liquid source for each part). A new version never changes messages already queued: they were rendered when submitted.</summary>
public sealed record Template(string Id, int Version, string Name, string? Subject, string? Html, string? Text, DateTimeOffset CreatedAt);
