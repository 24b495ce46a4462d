namespace Sluice.Http;

/// <summary>In a send or batch request: a stored template (id, optional version; newest otherwise) or an inline one (subject, html, text).</summary>
internal sealed record TemplateReference(string? Id, int? Version, string? Subject, string? Html, string? Text);
