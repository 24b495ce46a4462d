namespace Sluice.Core.Templates;

/// <summary>A template's output for one set of variables.</summary>
public sealed record RenderedParts(string? Subject, string? Html, string? Text);
