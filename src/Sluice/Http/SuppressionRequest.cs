namespace Sluice.Http;

/// <summary>POST /api/v1/suppressions: one entry (scope: a sending domain, or none for all).</summary>
internal sealed record SuppressionRequest(string? Address, string? Scope, string? Reason, DateTimeOffset? ExpiresAt);
