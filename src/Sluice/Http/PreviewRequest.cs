using System.Text.Json;

namespace Sluice.Http;

/// <summary>POST /api/v1/templates/{id}/preview.</summary>
internal sealed record PreviewRequest(JsonElement? Variables, int? Version);
