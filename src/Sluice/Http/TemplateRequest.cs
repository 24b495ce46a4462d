namespace Sluice.Http;

/// <summary>POST/PUT /api/v1/templates: Liquid source for each part (at least one of html and text).</summary>
internal sealed record TemplateRequest(string? Name, string? Subject, string? Html, string? Text);
