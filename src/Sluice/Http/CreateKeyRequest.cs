namespace Sluice.Http;

/// <summary>POST /api/v1/keys.</summary>
internal sealed record CreateKeyRequest(string? Name, string[]? Scopes, int? RequestsPerSecond, string? Validation = null);
